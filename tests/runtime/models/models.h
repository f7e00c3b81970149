// The hand-written test models (tests/runtime/models/*.cpp).
#pragma once

#include "gennc/model_abi.h"

#ifndef GENNC_TEST_MODEL_SYMBOL
#define GENNC_TEST_MODEL_SYMBOL gennc_test_lif_net
#endif

extern "C" const GenncModel gennc_test_lif_net;
