// What one barrier among the blocks of a persistent step costs on this GPU, by kind and
// number of blocks: the grid barrier the persistent step uses today (a block barrier, one
// thread per block with a release fence, a relaxed add and relaxed polling, an acquire
// fence: compiler/codegen/emit_persistent_steps.cpp), the same with release/acquire
// operations instead of fences, and Hopper's hardware cluster barrier
// (barrier.cluster.arrive.release / wait.acquire) for one cluster of 2-16 blocks. Each
// kernel passes ITER barriers; each thread adds to a global word between them, so that
// every barrier has writes to order. Prints a table: nanoseconds per barrier.
//
//   nvcc -arch=sm_90 -O3 -o barrier_cost barrier_cost.cu && ./barrier_cost
#include <cstdio>
#include <cuda_runtime.h>

constexpr int kIterations = 20000;
constexpr int kThreads = 256;

#define CHECK(call)                                                                       \
  do {                                                                                    \
    cudaError_t e = (call);                                                               \
    if (e != cudaSuccess) {                                                               \
      std::printf("%s: %s\n", #call, cudaGetErrorString(e));                              \
      return 1;                                                                           \
    }                                                                                     \
  } while (0)

__device__ __forceinline__ void grid_barrier_fences(unsigned* counter, unsigned target) {
  __syncthreads();
  if (threadIdx.x == 0) {
    asm volatile("fence.acq_rel.gpu;" ::: "memory");
    asm volatile("red.relaxed.gpu.global.add.u32 [%0], 1;" ::"l"(counter) : "memory");
    unsigned seen;
    do {
      asm volatile("ld.relaxed.gpu.global.u32 %0, [%1];" : "=r"(seen) : "l"(counter) : "memory");
    } while (static_cast<int>(seen - target) < 0);
    asm volatile("fence.acq_rel.gpu;" ::: "memory");
  }
  __syncthreads();
}

__device__ __forceinline__ void grid_barrier_ordered(unsigned* counter, unsigned target) {
  __syncthreads();
  if (threadIdx.x == 0) {
    asm volatile("red.release.gpu.global.add.u32 [%0], 1;" ::"l"(counter) : "memory");
    unsigned seen;
    do {
      asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(seen) : "l"(counter) : "memory");
    } while (static_cast<int>(seen - target) < 0);
  }
  __syncthreads();
}

__device__ __forceinline__ void cluster_barrier() {
  asm volatile("barrier.cluster.arrive.release.aligned;\n\tbarrier.cluster.wait.acquire.aligned;" ::: "memory");
}

// kind 0: fences, 1: release/acquire, 2: cluster, 3: block barrier only (no other block).
__global__ void steps(int kind, unsigned* counter, unsigned* sink) {
  const unsigned blocks = gridDim.x;
  for (int k = 0; k < kIterations; ++k) {
    atomicAdd(sink + (blockIdx.x * kThreads + threadIdx.x) % 4096, 1u);
    if (kind == 0) grid_barrier_fences(counter, (k + 1) * blocks);
    else if (kind == 1) grid_barrier_ordered(counter, (k + 1) * blocks);
    else if (kind == 2) cluster_barrier();
    else __syncthreads();
  }
}

__global__ void work_only(unsigned* sink) {
  for (int k = 0; k < kIterations; ++k) atomicAdd(sink + (blockIdx.x * kThreads + threadIdx.x) % 4096, 1u);
}

int main() {
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("%s, %d multiprocessors, %d iterations a launch, %d threads a block\n", prop.name,
              prop.multiProcessorCount, kIterations, kThreads);
  unsigned *counter, *sink;
  CHECK(cudaMalloc(&counter, 4));
  CHECK(cudaMalloc(&sink, 4096 * 4));
  CHECK(cudaFuncSetAttribute(steps, cudaFuncAttributeNonPortableClusterSizeAllowed, 1));
  cudaEvent_t a, b;
  CHECK(cudaEventCreate(&a));
  CHECK(cudaEventCreate(&b));
  auto time = [&](int kind, int blocks, int cluster, double* ns) -> cudaError_t {
    float best = 1e30f;
    for (int round = 0; round < 3; ++round) {
      cudaMemset(counter, 0, 4);
      cudaLaunchConfig_t config = {};
      config.gridDim = dim3(blocks);
      config.blockDim = dim3(kThreads);
      cudaLaunchAttribute attribute[1];
      attribute[0].id = cudaLaunchAttributeClusterDimension;
      attribute[0].val.clusterDim.x = cluster;
      attribute[0].val.clusterDim.y = 1;
      attribute[0].val.clusterDim.z = 1;
      config.attrs = attribute;
      config.numAttrs = cluster > 1 ? 1 : 0;
      cudaEventRecord(a);
      cudaError_t e = kind < 0 ? (work_only<<<blocks, kThreads>>>(sink), cudaGetLastError())
                               : cudaLaunchKernelEx(&config, steps, kind, counter, sink);
      if (e != cudaSuccess) return e;
      cudaEventRecord(b);
      if ((e = cudaEventSynchronize(b)) != cudaSuccess) return e;
      float ms;
      cudaEventElapsedTime(&ms, a, b);
      if (ms < best) best = ms;
    }
    *ns = best * 1e6 / kIterations;
    return cudaSuccess;
  };
  std::printf("| blocks | adds only | block barrier | grid barrier, fences | grid barrier, release/acquire | cluster barrier |\n");
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  const int sizes[] = {1, 2, 4, 8, 16, 32, 66, 132, 264};
  for (int blocks : sizes) {
    double work = 0, block = 0, fences = 0, ordered = 0, cluster = -1;
    if (blocks > 2 * prop.multiProcessorCount) continue;
    CHECK(time(-1, blocks, 1, &work));
    CHECK(time(3, blocks, 1, &block));
    CHECK(time(0, blocks, 1, &fences));
    CHECK(time(1, blocks, 1, &ordered));
    if (blocks >= 2 && blocks <= 16 && prop.major >= 9) {
      cudaError_t e = time(2, blocks, blocks, &cluster);
      if (e != cudaSuccess) {
        std::printf("(cluster of %d: %s)\n", blocks, cudaGetErrorString(e));
        cudaGetLastError();
        cluster = -1;
      }
    }
    char cell[32] = "-";
    if (cluster >= 0) std::snprintf(cell, sizeof cell, "%.0f", cluster);
    std::printf("| %d | %.0f | %.0f | %.0f | %.0f | %s |\n", blocks, work, block, fences, ordered, cell);
  }
  return 0;
}
