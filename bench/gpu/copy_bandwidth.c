/* Device-to-device copy bandwidth of GPU 0: the ceiling that bench/gpu compares the spike
 * delivery kernels' memory traffic with. Copies 1 GiB (by default) from one device buffer
 * into another with cuMemcpyDtoDAsync, timed with CUDA events, several times after a
 * warm-up, and prints the median as bytes read plus bytes written per second (a copy moves
 * its size twice through device memory).
 *
 * The CUDA driver is opened with dlopen("libcuda.so.1"), as the gennc runtime does, so the
 * program links nothing from CUDA and builds where no toolkit is installed.
 *
 *   copy_bandwidth [MIB [REPEATS]]      prints: copy_bandwidth <GB/s> GB/s (<device>, ...)
 * Exit status: 0 measured, 1 a CUDA call failed, 77 no driver or no device. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st* CUcontext;
typedef struct CUstream_st* CUstream;
typedef struct CUevent_st* CUevent;

static struct {
  CUresult (*Init)(unsigned);
  CUresult (*DeviceGetCount)(int*);
  CUresult (*DeviceGet)(CUdevice*, int);
  CUresult (*DeviceGetName)(char*, int, CUdevice);
  CUresult (*DevicePrimaryCtxRetain)(CUcontext*, CUdevice);
  CUresult (*CtxSetCurrent)(CUcontext);
  CUresult (*MemAlloc)(CUdeviceptr*, size_t);
  CUresult (*MemFree)(CUdeviceptr);
  CUresult (*MemsetD32)(CUdeviceptr, unsigned, size_t);
  CUresult (*MemcpyDtoDAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*StreamCreate)(CUstream*, unsigned);
  CUresult (*StreamSynchronize)(CUstream);
  CUresult (*EventCreate)(CUevent*, unsigned);
  CUresult (*EventRecord)(CUevent, CUstream);
  CUresult (*EventSynchronize)(CUevent);
  CUresult (*EventElapsedTime)(float*, CUevent, CUevent);
  CUresult (*GetErrorString)(CUresult, const char**);
} cu;

static int check(CUresult result, const char* what) {
  const char* text = "unknown error";
  if (result == 0) return 1;
  if (cu.GetErrorString != NULL) cu.GetErrorString(result, &text);
  fprintf(stderr, "copy_bandwidth: %s failed: %s (%d)\n", what, text, result);
  return 0;
}

#define CU(call, what) \
  do {                 \
    if (!check(call, what)) return 1; \
  } while (0)

static int resolve(void* library, const char* name, void** slot) {
  *slot = dlsym(library, name);
  if (*slot == NULL) fprintf(stderr, "copy_bandwidth: libcuda.so.1 lacks %s\n", name);
  return *slot != NULL;
}

/* CUDA 13's cuda.h maps cuEventElapsedTime to the _v2 call; older drivers have only the first. */
static int resolve_elapsed_time(void* library) {
  *(void**)&cu.EventElapsedTime = dlsym(library, "cuEventElapsedTime_v2");
  return cu.EventElapsedTime != NULL || resolve(library, "cuEventElapsedTime", (void**)&cu.EventElapsedTime);
}

static int by_value(const void* a, const void* b) {
  float x = *(const float*)a, y = *(const float*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024;
  int repeats = argc > 2 ? atoi(argv[2]) : 20;
  if (mib == 0 || repeats < 1 || repeats > 1000) {
    fprintf(stderr, "usage: copy_bandwidth [MIB [REPEATS]]\n");
    return 2;
  }
  void* library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    fprintf(stderr, "copy_bandwidth: cannot load libcuda.so.1: %s\n", dlerror());
    return 77;
  }
  /* The _v2 names are the current ABI of the calls that have one (cuda.h maps them so). */
  if (!(resolve(library, "cuInit", (void**)&cu.Init) && resolve(library, "cuDeviceGetCount", (void**)&cu.DeviceGetCount) &&
        resolve(library, "cuDeviceGet", (void**)&cu.DeviceGet) &&
        resolve(library, "cuDeviceGetName", (void**)&cu.DeviceGetName) &&
        resolve(library, "cuDevicePrimaryCtxRetain", (void**)&cu.DevicePrimaryCtxRetain) &&
        resolve(library, "cuCtxSetCurrent", (void**)&cu.CtxSetCurrent) &&
        resolve(library, "cuMemAlloc_v2", (void**)&cu.MemAlloc) && resolve(library, "cuMemFree_v2", (void**)&cu.MemFree) &&
        resolve(library, "cuMemsetD32_v2", (void**)&cu.MemsetD32) &&
        resolve(library, "cuMemcpyDtoDAsync_v2", (void**)&cu.MemcpyDtoDAsync) &&
        resolve(library, "cuStreamCreate", (void**)&cu.StreamCreate) &&
        resolve(library, "cuStreamSynchronize", (void**)&cu.StreamSynchronize) &&
        resolve(library, "cuEventCreate", (void**)&cu.EventCreate) &&
        resolve(library, "cuEventRecord", (void**)&cu.EventRecord) &&
        resolve(library, "cuEventSynchronize", (void**)&cu.EventSynchronize) &&
        resolve_elapsed_time(library) &&
        resolve(library, "cuGetErrorString", (void**)&cu.GetErrorString)))
    return 1;

  CUresult init = cu.Init(0);
  if (init == 100 /* CUDA_ERROR_NO_DEVICE */) {
    fprintf(stderr, "copy_bandwidth: no CUDA device\n");
    return 77;
  }
  CU(init, "cuInit");
  int count = 0;
  CU(cu.DeviceGetCount(&count), "cuDeviceGetCount");
  if (count == 0) {
    fprintf(stderr, "copy_bandwidth: no CUDA device\n");
    return 77;
  }
  CUdevice device;
  CUcontext context;
  char name[256] = {0};
  CU(cu.DeviceGet(&device, 0), "cuDeviceGet");
  CU(cu.DeviceGetName(name, sizeof name - 1, device), "cuDeviceGetName");
  CU(cu.DevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
  CU(cu.CtxSetCurrent(context), "cuCtxSetCurrent");

  size_t bytes = mib << 20;
  CUdeviceptr source, target;
  CUstream stream;
  CUevent start, stop;
  CU(cu.MemAlloc(&source, bytes), "cuMemAlloc");
  CU(cu.MemAlloc(&target, bytes), "cuMemAlloc");
  /* Not zeros: a pattern in the source, another in the target. */
  CU(cu.MemsetD32(source, 0x3f9e3779u, bytes / 4), "cuMemsetD32");
  CU(cu.MemsetD32(target, 0x7f4a7c15u, bytes / 4), "cuMemsetD32");
  CU(cu.StreamCreate(&stream, 0), "cuStreamCreate");
  CU(cu.EventCreate(&start, 0), "cuEventCreate");
  CU(cu.EventCreate(&stop, 0), "cuEventCreate");
  for (int w = 0; w < 3; ++w) CU(cu.MemcpyDtoDAsync(target, source, bytes, stream), "cuMemcpyDtoDAsync");
  CU(cu.StreamSynchronize(stream), "cuStreamSynchronize");

  float* ms = malloc(sizeof(float) * (size_t)repeats);
  if (ms == NULL) return 1;
  for (int r = 0; r < repeats; ++r) {
    CU(cu.EventRecord(start, stream), "cuEventRecord");
    CU(cu.MemcpyDtoDAsync(target, source, bytes, stream), "cuMemcpyDtoDAsync");
    CU(cu.EventRecord(stop, stream), "cuEventRecord");
    CU(cu.EventSynchronize(stop), "cuEventSynchronize");
    CU(cu.EventElapsedTime(&ms[r], start, stop), "cuEventElapsedTime");
  }
  qsort(ms, (size_t)repeats, sizeof(float), by_value);
  double median = repeats % 2 ? ms[repeats / 2] : 0.5 * (ms[repeats / 2 - 1] + ms[repeats / 2]);
  double gbs = 2.0 * (double)bytes / (median * 1e-3) / 1e9;
  printf("copy_bandwidth %.1f GB/s (%s, %zu MiB copied, read + written, median of %d: %.3f ms, min %.3f, max %.3f)\n",
         gbs, name, mib, repeats, median, ms[0], ms[repeats - 1]);
  free(ms);
  CU(cu.MemFree(source), "cuMemFree");
  CU(cu.MemFree(target), "cuMemFree");
  return 0;
}
