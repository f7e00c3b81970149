// Connectivity: every connector kind of model_abi.h with PyNN's semantics, built
// deterministically from the seed with the counter-based generator, so that any device
// can rebuild the same synapses (docs/runtime.md gives each connector's draw addresses).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gennc/model_abi.h"
#include "gennc/runtime.h"
#include "selection.h"
#include "status.h"
#include "thread_pool.h"

namespace gennc::runtime {

// A column of other per-synapse values the host gave (GenncConnections.columns): the
// array it fills and one value per synapse, in internal units.
struct HostColumn {
  uint32_t array = 0;
  std::vector<double> values;
};

// The synapses of one projection as positions within its pre and post selections, in the
// order built, plus the weight and delay columns of list, file and host connectors (empty
// when the source has none; delays in ms) and the host's other columns.
struct Connections {
  std::vector<uint32_t> pre;
  std::vector<uint32_t> post;
  std::vector<double> weight;
  std::vector<double> delay;
  std::vector<HostColumn> columns;
};

struct ConnectRequest {
  const GenncProjectionInfo* projection = nullptr;
  uint64_t seed = 0;
  const Selection* pre = nullptr;
  const Selection* post = nullptr;
  const std::vector<double>* pre_xyz = nullptr;   // positions of the pre population
  const std::vector<double>* post_xyz = nullptr;  // positions of the post population
  const Connections* clone_of = nullptr;          // CLONE: the source projection's synapses
  const Selection* clone_pre = nullptr;           // CLONE: the source projection's selections
  const Selection* clone_post = nullptr;
  const GenncConnections* host = nullptr;         // FROM_HOST: the caller's synapses (gennc/runtime.h)
  double dt = 0.0;  // ms: list, file and host delays are whole steps of it
  // Null, or the post neurons [first, second) (population indices) whose synapses are kept:
  // a process holding its share of the synapses (docs/distributed.md). Row connectors then
  // generate only the blocks of each row that reach them, fixed_number_pre only their
  // columns; the others build as one process does and keep the synapses onto them. Every
  // error is reported as one process reports it, whatever is kept.
  const std::pair<uint32_t, uint32_t>* owned = nullptr;
  ThreadPool* pool = nullptr;  // rows are built in parallel when given; the result is the same
};

Status connect(const ConnectRequest& request, Connections* out);

// Keeps, of `c` (positions within the `post` selection), only the synapses onto the post
// neurons [owned.first, owned.second), with their columns.
void keep_owned_posts(const Selection& post, std::pair<uint32_t, uint32_t> owned, Connections* c);

// Reads a PyNN connection file: '#' header lines (a "columns = [...]" header names the
// columns), then one connection per line, whitespace-separated, by default "i j weight
// delay". Rows come back as [pre, post, weight?, delay?] with `columns` set to 2, 3 or 4,
// and each row's line number in `lines`. Only a regular file is read (files.h).
Status read_connection_file(const std::string& path, std::vector<double>* rows, uint32_t* columns,
                            std::vector<uint64_t>* lines);

}  // namespace gennc::runtime
