// The simulation sees every layer.
#include "cpu/cpu_engine.h"
#include "cuda/cuda_engine.h"
