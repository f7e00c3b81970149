// Imports: `import pynn` reads every standard-library file (embedded, or --stdlib-dir),
// `import "path"` a file relative to the importing one. Each file is parsed once however
// often, and however circularly, it is imported; files of the embedded library are parsed
// once per process.
#include <algorithm>
#include <filesystem>
#include <mutex>
#include <set>
#include <system_error>

#include "parse/parse.h"
#include "sema/checker.h"
#include "sema/stdlib_files.h"

namespace gennc::sema {

using diag::DiagId;
namespace fs = std::filesystem;

namespace {

// The embedded library's files as parsed before, shared by the programs of one process (a
// test binary, a fuzzer, a tool that compiles several models). An AST names its file by
// the id it was registered under, so a parsed file is reused only in a run that registers
// it under the same id, with the same text; a run that imports the library from a file of
// its own always does (the root is 1, the library follows in order). A parse that
// reported anything is not kept, so that every run reports it.
class ParsedLibrary {
 public:
  static ParsedLibrary& instance() {
    static ParsedLibrary library;
    return library;
  }

  std::shared_ptr<const ast::Module> find(std::string_view name, diag::FileId id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = files_.find(name);
    if (it == files_.end() || it->second->file != id) return nullptr;
    return it->second;
  }
  // Keeps one parse per file (the latest), so the cache stays as small as the library.
  void keep(std::string_view name, std::shared_ptr<const ast::Module> module) {
    std::lock_guard<std::mutex> lock(mutex_);
    files_[name] = std::move(module);
  }

 private:
  std::mutex mutex_;
  // Keys view the embedded names (stdlib_files()), which live as long as the process.
  std::map<std::string_view, std::shared_ptr<const ast::Module>> files_;
};

class ImportLoader {
 public:
  explicit ImportLoader(Context& ctx) : ctx_(ctx) {}

  void run(std::unique_ptr<ast::Module> root) {
    remember(ctx_.sources.path(root->file), root->file);
    add(std::move(root));
    // Breadth first: the modules vector grows while it is walked.
    for (std::size_t i = 0; i < ctx_.program.modules.size(); ++i) {
      const ast::Module& m = *ctx_.program.modules[i];
      for (const auto& imp : m.imports) {
        if (imp.is_library)
          import_library(imp);
        else
          import_path(m.file, imp);
      }
    }
  }

 private:
  void add(std::shared_ptr<const ast::Module> m) { ctx_.program.modules.push_back(std::move(m)); }

  // A file's identity on disk, so that `a/../b.gdsl` and `b.gdsl` are one file.
  static std::string key(const std::string& path) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(fs::path(path), ec);
    return ec ? fs::path(path).lexically_normal().string() : canonical.string();
  }
  void remember(const std::string& path, diag::FileId id) { seen_.emplace(key(path), id); }

  void parse_new(diag::FileId id) { add(parse::parse_module(id, ctx_.diags)); }

  void import_path(diag::FileId from, const ast::ImportDecl& imp) {
    const std::string& from_path = ctx_.sources.path(from);
    fs::path path = imp.target;
    // Files of the embedded library import each other by paths relative to stdlib/.
    bool from_embedded = from_path.rfind(kEmbeddedPrefix, 0) == 0;
    if (path.is_relative()) path = fs::path(from_path).parent_path() / path;
    std::string display = path.lexically_normal().string();
    if (from_embedded) {
      if (display.rfind(kEmbeddedPrefix, 0) != 0)
        ctx_.diags.report(DiagId::import_not_found, imp.range, display, "outside the standard library");
      else
        import_embedded(display.substr(kEmbeddedPrefix.size()), imp);
      return;
    }
    if (path.extension() != ".gdsl") {
      ctx_.diags.report(DiagId::import_not_gdsl, imp.range, display);
      return;
    }
    if (seen_.count(key(display))) return;
    if (!ctx_.path_allowed("import", display, imp.range)) return;
    std::string why;
    auto id = ctx_.sources.load_file(display, &why);
    if (!id) {
      ctx_.diags.report(DiagId::import_not_found, imp.range, display, why);
      return;
    }
    remember(display, *id);
    parse_new(*id);
  }

  void import_embedded(const std::string& name, const ast::ImportDecl& imp) {
    for (const auto& f : stdlib_files()) {
      if (f.name != name) continue;
      std::string display = std::string(kEmbeddedPrefix) + name;
      if (ctx_.sources.find(display)) return;
      diag::FileId id = ctx_.sources.add_file(display, std::string(f.contents));
      ParsedLibrary& library = ParsedLibrary::instance();
      if (auto parsed = library.find(f.name, id)) {
        add(std::move(parsed));
        return;
      }
      std::size_t reported = ctx_.diags.all().size();
      std::shared_ptr<const ast::Module> parsed = parse::parse_module(id, ctx_.diags);
      if (ctx_.diags.all().size() == reported) library.keep(f.name, parsed);
      add(std::move(parsed));
      return;
    }
    ctx_.diags.report(DiagId::import_not_found, imp.range, std::string(kEmbeddedPrefix) + name,
                      "no such file in the standard library");
  }

  void import_library(const ast::ImportDecl& imp) {
    if (imp.target != "pynn") {
      ctx_.diags.report(DiagId::unknown_library, imp.range, imp.target);
      return;
    }
    if (library_done_) return;
    library_done_ = true;
    if (ctx_.options.stdlib_dir.empty()) {
      for (const auto& f : stdlib_files()) import_embedded(std::string(f.name), imp);
      return;
    }
    std::error_code ec;
    std::vector<std::string> files;
    for (fs::recursive_directory_iterator it(ctx_.options.stdlib_dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file() && it->path().extension() == ".gdsl") files.push_back(it->path().string());
    if (ec) {
      ctx_.diags.report(DiagId::import_not_found, imp.range, ctx_.options.stdlib_dir, ec.message());
      return;
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
      if (seen_.count(key(path))) continue;
      std::string why;
      auto id = ctx_.sources.load_file(path, &why);
      if (!id) {
        ctx_.diags.report(DiagId::import_not_found, imp.range, path, why);
        continue;
      }
      remember(path, *id);
      parse_new(*id);
    }
  }

  // Display paths of embedded files: `<pynn>/cells/IF_curr.gdsl`.
  static constexpr std::string_view kEmbeddedPrefix = "<pynn>/";

  Context& ctx_;
  std::map<std::string, diag::FileId> seen_;
  bool library_done_ = false;
};

}  // namespace

bool Context::path_allowed(const std::string& what, const std::string& path, diag::SourceRange where) {
  if (!options.restrict_paths || program.modules.empty()) return true;
  std::error_code ec;
  fs::path folder = fs::weakly_canonical(fs::absolute(sources.path(program.modules.front()->file)), ec).parent_path();
  fs::path resolved = fs::weakly_canonical(fs::absolute(path), ec);
  // Inside when the folder is a prefix of the resolved path, element by element.
  auto f = folder.begin(), r = resolved.begin();
  for (; f != folder.end() && r != resolved.end() && *f == *r; ++f, ++r) {}
  if (!ec && f == folder.end()) return true;
  diags.report(DiagId::path_outside_model_folder, where, what, resolved.string(), folder.string());
  return false;
}

void load_imports(Context& ctx, std::unique_ptr<ast::Module> root) { ImportLoader(ctx).run(std::move(root)); }

}  // namespace gennc::sema
