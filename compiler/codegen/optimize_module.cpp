#include "codegen/optimize_module.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Passes/OptimizationLevel.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Target/TargetMachine.h>

#include "codegen/hoist_loads.h"

namespace gennc::codegen {

namespace {

llvm::OptimizationLevel pipeline_level(int opt_level) {
  switch (opt_level) {
    case 0: return llvm::OptimizationLevel::O0;
    case 1: return llvm::OptimizationLevel::O1;
    case 3: return llvm::OptimizationLevel::O3;
    default: return llvm::OptimizationLevel::O2;
  }
}

}  // namespace

void optimize_module(llvm::Module& module, llvm::TargetMachine& machine, int opt_level) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;

  // NVPTX has no vector arithmetic (its loads and stores are paired by the back end's own
  // vectoriser), so there the loop and SLP vectorisers only cost time. Nor is unrolling
  // worth it there: the loops are synapse rows whose trip counts are only known per spike,
  // and their runtime unrolling made the microcircuit's PTX pipeline 0.6 -> 0.85 s and its
  // step 2.5% slower on an H100 (bench/results/gpu_2026-11-25.md, run 10).
  const bool gpu = machine.getTargetTriple().isNVPTX();
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = opt_level >= 2 && !gpu;
  tuning.SLPVectorization = opt_level >= 2 && !gpu;
  tuning.LoopUnrolling = opt_level >= 2 && !gpu;

  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);

  // On the GPU, each thread's independent loads issued together (hoist_loads.h).
  if (gpu && opt_level >= 1)
    builder.registerOptimizerLastEPCallback([](llvm::ModulePassManager& passes, llvm::OptimizationLevel) {
      passes.addPass(llvm::createModuleToFunctionPassAdaptor(HoistLoadsPass()));
    });
  const llvm::OptimizationLevel level = pipeline_level(opt_level);
  llvm::ModulePassManager passes = level == llvm::OptimizationLevel::O0
                                       ? builder.buildO0DefaultPipeline(level)
                                       : builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, modules);
}

}  // namespace gennc::codegen
