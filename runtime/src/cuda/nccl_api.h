// The few NCCL entry points a GPU rank of a distributed run uses (docs/distributed.md),
// loaded at run time with dlopen("libnccl.so.2") as the driver is (driver_api.h): a `sim`
// links no NCCL and runs on machines without it. Types and constants are declared here
// (values from NCCL 2's nccl.h, whose ABI is stable within the major version), so building
// the runtime needs no NCCL headers.
#pragma once

#include <cstddef>
#include <string>

#include "driver_api.h"

namespace gennc::runtime::cuda {

using NcclResult = int;
using NcclComm = struct NcclComm_st*;
// ncclUniqueId: opaque bytes that rank 0 makes and every rank passes to ncclCommInitRank.
struct NcclUniqueId {
  char internal[128];
};

inline constexpr NcclResult kNcclSuccess = 0;
inline constexpr int kNcclUint32 = 3;  // ncclDataType_t ncclUint32

struct NcclApi {
  NcclResult (*ncclGetUniqueId)(NcclUniqueId* id);
  NcclResult (*ncclCommInitRank)(NcclComm* comm, int ranks, NcclUniqueId id, int rank);
  // Enqueued on `stream` (also while it is captured into a graph): every rank's `count`
  // elements at `send`, concatenated in rank order at `receive`.
  NcclResult (*ncclAllGather)(const void* send, void* receive, size_t count, int datatype, NcclComm comm,
                              CUstream stream);
  NcclResult (*ncclCommDestroy)(NcclComm comm);
  const char* (*ncclGetErrorString)(NcclResult result);
};

// NCCL, loaded once per process. Null when libnccl.so.2 cannot be opened or lacks a
// function; *why then says which.
const NcclApi* load_nccl(std::string* why);

// "NCCL: ncclCommInitRank failed: unhandled system error (result 2)".
std::string nccl_error(const NcclApi& api, const char* what, NcclResult result);

}  // namespace gennc::runtime::cuda
