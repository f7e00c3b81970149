// A layering violation on purpose: sema comes before codegen in the pipeline, so this
// include must not resolve (tests/layering/CMakeLists.txt).
#include "codegen/codegen.h"
