// Debug locations for generated code: IR source ranges become DWARF line tables, so
// `--emit=llvm`, `--emit=asm`, profilers and debuggers point at .gdsl lines.
#pragma once

#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/DebugLoc.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>

#include <map>
#include <string>
#include <utility>

#include "diag/source_manager.h"

namespace gennc::codegen {

class DebugInfo {
 public:
  // A compile unit for `main_path` (the network's .gdsl file), line tables only.
  DebugInfo(llvm::Module& module, const diag::SourceManager& sources, const std::string& main_path);

  // Gives `fn` a subprogram named `name` at `range`, the scope of its locations.
  void attach(llvm::Function& fn, const std::string& name, diag::SourceRange range);
  // The location of `range` inside `fn`'s subprogram (the function's own line when the
  // range is invalid, so every instruction of a function with debug info has one).
  llvm::DebugLoc location(const llvm::Function& fn, diag::SourceRange range);
  // Gives every instruction of `fn` that has no location the function's own line.
  void fill_missing(llvm::Function& fn) const;

  // Completes the debug metadata; call once, before the module is verified.
  void finalize() { builder_.finalize(); }

 private:
  llvm::DIFile* file(diag::FileId id);

  const diag::SourceManager& sources_;
  llvm::DIBuilder builder_;
  llvm::DICompileUnit* unit_ = nullptr;
  std::map<diag::FileId, llvm::DIFile*> files_;
  std::map<std::pair<llvm::DISubprogram*, diag::FileId>, llvm::DILexicalBlockFile*> block_files_;
};

}  // namespace gennc::codegen
