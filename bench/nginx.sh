# Sourced by the benchmarks: installs what they need, builds the release products, and
# serves $DIR with nginx on a free loopback port ($PORT; $NGINX is its pid).

# bench_setup PRODUCT…: nginx, GNU time and bc from apt if missing; the products built in release.
bench_setup() {
  local missing=""
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$missing nginx"
  [ -x /usr/bin/time ] || missing="$missing time"
  command -v bc >/dev/null || missing="$missing bc"
  if [ -n "$missing" ]; then
    echo "installing:$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
  for product in "$@"; do
    swift build -c release --product "$product" >"$DIR/build.log" 2>&1 || { tail -20 "$DIR/build.log"; exit 1; }
  done
  BIN=$(swift build -c release --show-bin-path)
}

# bench_policy FILE STATE ARCHIVE: a policy with one org, bench, whose archive is ARCHIVE (for the
# archive commands: inspect, diff, restore).
bench_policy() {
  cat >"$1" <<POLICY
version: 1
state_dir: $2
orgs:
  bench:
    data_center: us
    credentials: bench
    schedule: none
    timezone: UTC
    archive:
      path: $3
POLICY
}

# serve_dir: nginx on a free loopback port, serving $DIR; sets PORT and NGINX.
serve_dir() {
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$DIR/nginx"
  cat >"$DIR/nginx/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $DIR/nginx/nginx.pid; error_log $DIR/nginx/error.log;
events { worker_connections 64; }
http { access_log off; sendfile on; client_body_temp_path $DIR/nginx; proxy_temp_path $DIR/nginx;
  fastcgi_temp_path $DIR/nginx; uwsgi_temp_path $DIR/nginx; scgi_temp_path $DIR/nginx;
  server { listen 127.0.0.1:$PORT; root $DIR; } }
CONF
  /usr/sbin/nginx -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" & NGINX=$!
  until curl -s -o /dev/null "http://127.0.0.1:$PORT/"; do sleep 0.1; done
}
