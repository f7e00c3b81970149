#include "codegen/debug_info.h"

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/Support/Path.h>

namespace gennc::codegen {

namespace {

llvm::DIFile* make_file(llvm::DIBuilder& builder, const std::string& path) {
  return builder.createFile(llvm::sys::path::filename(path), llvm::sys::path::parent_path(path));
}

}  // namespace

DebugInfo::DebugInfo(llvm::Module& module, const diag::SourceManager& sources, const std::string& main_path)
    : sources_(sources), builder_(module) {
  module.addModuleFlag(llvm::Module::Warning, "Debug Info Version", llvm::DEBUG_METADATA_VERSION);
  module.addModuleFlag(llvm::Module::Warning, "Dwarf Version", 5);
  // DWARF has no language code for GDSL; C is what debuggers handle best for line tables.
  unit_ = builder_.createCompileUnit(llvm::dwarf::DW_LANG_C, make_file(builder_, main_path),
                                     "gennc " GENNC_VERSION, /*isOptimized=*/true, "", 0, llvm::StringRef(),
                                     llvm::DICompileUnit::LineTablesOnly);
}

llvm::DIFile* DebugInfo::file(diag::FileId id) {
  auto [it, inserted] = files_.try_emplace(id, nullptr);
  if (inserted) it->second = make_file(builder_, sources_.path(id));
  return it->second;
}

void DebugInfo::attach(llvm::Function& fn, const std::string& name, diag::SourceRange range) {
  llvm::DIFile* where = range.valid() ? file(range.begin.file) : unit_->getFile();
  const unsigned line = range.valid() ? sources_.line_col(range.begin).line : 0;
  llvm::DISubroutineType* type = builder_.createSubroutineType(builder_.getOrCreateTypeArray({}));
  const auto flags = llvm::DISubprogram::SPFlagDefinition |
                     (fn.hasLocalLinkage() ? llvm::DISubprogram::SPFlagLocalToUnit : llvm::DISubprogram::SPFlagZero);
  fn.setSubprogram(builder_.createFunction(unit_, name, fn.getName(), where, line, type, line,
                                           llvm::DINode::FlagZero, flags));
}

llvm::DebugLoc DebugInfo::location(const llvm::Function& fn, diag::SourceRange range) {
  llvm::DISubprogram* subprogram = fn.getSubprogram();
  if (!range.valid()) return llvm::DILocation::get(fn.getContext(), subprogram->getLine(), 0, subprogram);
  // A statement written in another file than its function (a network override inside a
  // model's kernel) is scoped by a lexical block naming that file.
  llvm::DIScope* scope = subprogram;
  if (subprogram->getFile() != file(range.begin.file)) {
    auto [it, inserted] = block_files_.try_emplace({subprogram, range.begin.file}, nullptr);
    if (inserted) it->second = builder_.createLexicalBlockFile(subprogram, file(range.begin.file));
    scope = it->second;
  }
  const diag::LineCol at = sources_.line_col(range.begin);
  return llvm::DILocation::get(fn.getContext(), at.line, at.column, scope);
}

void DebugInfo::fill_missing(llvm::Function& fn) const {
  llvm::DebugLoc own = llvm::DILocation::get(fn.getContext(), fn.getSubprogram()->getLine(), 0, fn.getSubprogram());
  for (llvm::Instruction& inst : llvm::instructions(fn))
    if (!inst.getDebugLoc()) inst.setDebugLoc(own);
}

}  // namespace gennc::codegen
