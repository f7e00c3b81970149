// The CPU engine reaching up into the simulation.
#include "../engine.h"
#include "../simulation.h"
