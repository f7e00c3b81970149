// The control: sema builds on parse, ast and diag, whose headers it sees.
#include "diag/diagnostics.h"
#include "parse/parse.h"
#include "sema/program.h"
