#ifndef CZLIBSHIM_H
#define CZLIBSHIM_H
#include <zlib.h>
#endif
