// One engine reaching into another, beside includes it may make.
#include "../cpu/cpu_engine.h"
#include "../engine.h"
#include "../network_state.h"
