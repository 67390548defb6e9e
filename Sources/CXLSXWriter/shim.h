#ifndef CXLSXWRITER_H
#define CXLSXWRITER_H
/* Debian's libxlsxwriter (libxlsxwriter-dev): XLSX workbooks written in constant_memory mode. */
#include <xlsxwriter.h>
#endif
