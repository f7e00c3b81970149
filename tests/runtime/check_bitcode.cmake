# cmake -DCLANG=<clang> -DLLVM_DIS=<llvm-dis> -DSOURCE=<kernel_helpers.c> -DINCLUDE=<dir> -DOUTPUT=<file.bc> -P check_bitcode.cmake
# kernel_helpers.c must build to NVPTX bitcode whose only external references are LLVM
# intrinsics (math the GPU code generator maps), so kernels can link it.
execute_process(
  COMMAND ${CLANG} -x c -std=c99 -ffreestanding -O2 --target=nvptx64-nvidia-cuda -emit-llvm -c
          -I${INCLUDE} ${SOURCE} -o ${OUTPUT}
  RESULT_VARIABLE compiled ERROR_VARIABLE errors)
if(NOT compiled EQUAL 0)
  message(FATAL_ERROR "kernel_helpers.c does not compile for NVPTX:\n${errors}")
endif()
execute_process(COMMAND ${LLVM_DIS} ${OUTPUT} -o - OUTPUT_VARIABLE text RESULT_VARIABLE disassembled)
if(NOT disassembled EQUAL 0)
  message(FATAL_ERROR "cannot disassemble ${OUTPUT}")
endif()
string(REGEX MATCHALL "\ndeclare [^\n]*" declarations "${text}")
foreach(declaration IN LISTS declarations)
  if(NOT declaration MATCHES "@llvm\\.")
    message(FATAL_ERROR "kernel_helpers.c calls something the GPU cannot resolve:${declaration}")
  endif()
endforeach()
foreach(entry uniform normal normal_clipped normal_clipped_to_boundary exponential gamma lognormal
              uniform_int poisson binomial)
  if(NOT text MATCHES "define [^\n]*@gennc_rand_${entry}\\(")
    message(FATAL_ERROR "gennc_rand_${entry} is missing from the bitcode")
  endif()
endforeach()
