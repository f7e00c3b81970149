// The state reaching into an engine.
#include "cuda/cuda_engine.h"
#include "status.h"
