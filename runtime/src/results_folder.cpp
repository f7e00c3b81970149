#include "results_folder.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "files.h"

namespace gennc::runtime {
namespace {

namespace fs = std::filesystem;

constexpr const char* kManifest = "manifest.json";
// The manifest that marks a folder being merged into (install_results); assembled in the
// temporary folder under this name, then renamed over the old manifest.
constexpr const char* kPlaceholder = ".manifest.incomplete.json";
// A manifest is small (a few KB per recording); anything far larger is not one of ours.
constexpr std::uintmax_t kLargestManifest = 64u << 20;

std::string in_quotes(const fs::path& p) { return "'" + p.string() + "'"; }
std::string errno_text() { return std::strerror(errno); }

// A file name of the folder itself: not a path, not "." or "..".
bool plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

bool plain_file(const fs::path& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Reads `folder`/manifest.json; true if it is a gennc results manifest. `listed` gets the
// files it says gennc wrote: its "files" and every recording's files (plain names only).
bool read_manifest(const fs::path& folder, std::vector<std::string>* listed, std::string* why) {
  fs::path path = folder / kManifest;
  std::error_code ec;
  if (!plain_file(path)) {
    *why = "its manifest.json is not a regular file";
    return false;
  }
  if (fs::file_size(path, ec) > kLargestManifest || ec) {
    *why = "its manifest.json is too large to be a gennc manifest";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  nlohmann::json manifest = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (manifest.is_discarded() || !manifest.is_object()) {
    *why = "its manifest.json is not JSON";
    return false;
  }
  auto format = manifest.find("format");
  if (format == manifest.end() || !format->is_string() || format->get<std::string>() != "gennc-results") {
    *why = "its manifest.json does not say \"format\": \"gennc-results\"";
    return false;
  }
  std::set<std::string> names;
  auto take = [&](const nlohmann::json& value) {
    if (value.is_string() && plain_name(value.get<std::string>()) && value.get<std::string>() != kManifest)
      names.insert(value.get<std::string>());
  };
  if (auto files = manifest.find("files"); files != manifest.end() && files->is_array())
    for (const nlohmann::json& f : *files) take(f);
  if (auto recordings = manifest.find("recordings"); recordings != manifest.end() && recordings->is_array())
    for (const nlohmann::json& r : *recordings)
      if (r.is_object())
        for (const char* key : {"file", "neurons_file", "times_file"})
          if (auto f = r.find(key); f != r.end()) take(*f);
  listed->assign(names.begin(), names.end());
  return true;
}

// Removes from `folder` the regular files gennc writes there, `listed` and, when `guess`,
// any *.npy and manifest file (a temporary folder of a run that died before its manifest),
// then the folder if that left it empty. Anything else, and so the folder, stays.
void remove_gennc_files(const fs::path& folder, const std::vector<std::string>& listed, bool guess) {
  std::error_code ec;
  std::set<std::string> names(listed.begin(), listed.end());
  names.insert(kManifest);
  names.insert(kPlaceholder);
  if (guess) {
    std::vector<std::string> more;
    std::string why;
    if (read_manifest(folder, &more, &why)) names.insert(more.begin(), more.end());
  }
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    bool npy = name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0;
    if ((names.count(name) || (guess && npy)) && plain_file(it->path())) ::unlink(it->path().c_str());
  }
  ::rmdir(folder.c_str());
}

// Whether `pid` names no process (a folder it left behind is stale).
bool process_gone(unsigned long pid) {
  if (pid == 0 || pid > static_cast<unsigned long>(INT_MAX)) return true;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// `NAME.tmp-PID` and `NAME.old-PID` beside the folder, of processes that no longer exist.
void remove_stale_temporaries(const fs::path& folder, const fs::path& parent) {
  std::string base = folder.filename().string();
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    for (const char* tag : {".tmp-", ".old-"}) {
      std::string prefix = base + tag;
      if (name.size() <= prefix.size() || name.size() > prefix.size() + 10 || name.compare(0, prefix.size(), prefix))
        continue;
      std::string digits = name.substr(prefix.size());
      if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
      unsigned long pid = std::stoul(digits);
      struct stat st;
      if (pid == static_cast<unsigned long>(::getpid()) || !process_gone(pid)) continue;
      if (::lstat(it->path().c_str(), &st) == 0 && S_ISDIR(st.st_mode)) remove_gennc_files(it->path(), {}, true);
    }
  }
}

// The nearest existing ancestor of `p` (itself if it exists), or empty if none can be found.
fs::path existing_ancestor(fs::path p) {
  for (;;) {
    struct stat st;
    if (::stat(p.c_str(), &st) == 0) return p;
    if (errno != ENOENT) return p;  // reported by the caller's checks
    if (!p.has_parent_path() || p.parent_path() == p) return {};
    p = p.parent_path();
  }
}

// The folder `parent` exists and can be written, or can be created: the nearest existing
// ancestor is a folder gennc may write in.
Status check_parent(const fs::path& parent, const std::string& what) {
  fs::path ancestor = existing_ancestor(parent);
  if (ancestor.empty()) return io_error(what + ": no part of " + in_quotes(parent) + " exists");
  struct stat st;
  if (::stat(ancestor.c_str(), &st) != 0)
    return io_error(what + ": cannot examine " + in_quotes(ancestor) + ": " + errno_text());
  if (!S_ISDIR(st.st_mode)) return io_error(what + ": " + in_quotes(ancestor) + " is not a folder");
  if (::access(ancestor.c_str(), W_OK | X_OK) != 0) {
    if (ancestor == parent) return io_error(what + ": cannot write in " + in_quotes(parent) + ": " + errno_text());
    return io_error(what + ": cannot create " + in_quotes(parent) + " in " + in_quotes(ancestor) + ": " + errno_text());
  }
  return ok();
}

long name_limit(const fs::path& parent) {
  fs::path ancestor = existing_ancestor(parent);
  long limit = ancestor.empty() ? -1 : ::pathconf(ancestor.c_str(), _PC_NAME_MAX);
  return limit > 0 ? limit : NAME_MAX;
}

}  // namespace

fs::path results_temporary(const ResultsDestination& destination) {
  fs::path fresh = destination.folder;
  fresh += ".tmp-" + std::to_string(::getpid());
  return fresh;
}

Status inspect_results_destination(const std::string& name, const std::vector<std::string>& file_names,
                                   ResultsDestination* out) {
  std::string trimmed = name;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  if (trimmed.empty()) return argument_error("no results folder given");
  ResultsDestination d;
  d.folder = fs::path(trimmed);
  std::string what = "cannot write results to " + in_quotes(d.folder);
  std::error_code ec;
  struct stat st;
  if (::lstat(d.folder.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    // A link to the results elsewhere: they are replaced where the link points.
    fs::path target = fs::canonical(d.folder, ec);
    if (ec) return io_error(what + ": it is a symbolic link to nothing that exists (" + ec.message() + ")");
    d.folder = target;
  }
  d.parent = d.folder.has_parent_path() ? d.folder.parent_path() : fs::path(".");
  if (d.folder.filename() == "." || d.folder.filename() == ".." || d.folder == d.folder.root_path())
    return argument_error(what + ": name a folder, not " + in_quotes(d.folder.filename()));
  GENNC_TRY(check_parent(d.parent, what));
  if (::stat(d.parent.c_str(), &st) == 0) remove_stale_temporaries(d.folder, d.parent);

  long limit = name_limit(d.parent);
  std::string temporary = results_temporary(d).filename().string();
  if (static_cast<long>(temporary.size()) > limit)
    return io_error(what + ": the folder's name is too long (" + std::to_string(d.folder.filename().string().size()) +
                    " bytes; the temporary folder beside it, " + in_quotes(temporary) + ", exceeds the file system's " +
                    std::to_string(limit) + "-byte limit)");
  for (const std::string& file : file_names)
    if (static_cast<long>(file.size()) > limit)
      return io_error(what + ": the file name " + in_quotes(file) + " is " + std::to_string(file.size()) +
                      " bytes long, over the file system's " + std::to_string(limit) + "-byte limit");

  if (::stat(d.folder.c_str(), &st) != 0) {
    if (errno != ENOENT) return io_error(what + ": " + errno_text());
    d.kind = ResultsDestination::Kind::Absent;
  } else {
    if (!S_ISDIR(st.st_mode)) return io_error(what + ": it exists and is not a folder");
    if (::access(d.folder.c_str(), W_OK | X_OK) != 0) return io_error(what + ": " + errno_text());
    std::vector<std::string> entries;
    for (fs::directory_iterator it(d.folder, ec), end; !ec && it != end; it.increment(ec))
      entries.push_back(it->path().filename().string());
    if (ec) return io_error(what + ": cannot list it: " + ec.message());
    if (entries.empty()) {
      d.kind = ResultsDestination::Kind::Empty;
    } else {
      std::vector<std::string> listed;
      std::string why;
      if (std::find(entries.begin(), entries.end(), kManifest) == entries.end())
        return io_error(what + ": it is not empty and is not a gennc results folder (it has no manifest.json); "
                        "refusing to replace it");
      if (!read_manifest(d.folder, &listed, &why))
        return io_error(what + ": it is not empty and is not a gennc results folder (" + why +
                        "); refusing to replace it");
      d.kind = ResultsDestination::Kind::Results;
      std::set<std::string> ours(listed.begin(), listed.end());
      for (const std::string& entry : entries) {
        if (entry == kManifest) continue;
        if (ours.count(entry) && plain_file(d.folder / entry))
          d.owned.push_back(entry);
        else
          d.foreign.push_back(entry);
      }
      for (const std::string& file : file_names)
        if (std::find(d.foreign.begin(), d.foreign.end(), file) != d.foreign.end())
          return io_error(what + ": " + in_quotes(d.folder / file) +
                          " is in the way (gennc would write that file, but its manifest does not list it as "
                          "written by gennc)");
    }
  }

  // The temporary folder can be made beside it (catches read-only and full file systems).
  if (::stat(d.parent.c_str(), &st) == 0) {
    fs::path probe = results_temporary(d);
    fs::remove_all(probe, ec);
    if (::mkdir(probe.c_str(), 0755) != 0) return io_error(what + ": cannot create " + in_quotes(probe) + ": " + errno_text());
    ::rmdir(probe.c_str());
  }
  *out = std::move(d);
  return ok();
}

Status check_results_folder(const std::string& name) {
  ResultsDestination destination;
  return inspect_results_destination(name, {}, &destination);
}

Status install_results(const fs::path& fresh, const std::vector<std::string>& written,
                       const ResultsDestination& destination) {
  const fs::path& folder = destination.folder;
  using Kind = ResultsDestination::Kind;
  if (destination.kind == Kind::Absent) {
    if (std::rename(fresh.c_str(), folder.c_str()) != 0)
      return io_error("cannot create results folder " + in_quotes(folder) + ": " + errno_text());
    return ok();
  }
  if (destination.kind == Kind::Empty || destination.foreign.empty()) {
    // Exchanged in one step where the file system allows, else by two renames; then the
    // old files, now under the temporary name, are removed.
    if (::renameat2(AT_FDCWD, fresh.c_str(), AT_FDCWD, folder.c_str(), RENAME_EXCHANGE) == 0) {
      remove_gennc_files(fresh, destination.owned, false);
      return ok();
    }
    fs::path old = folder;
    old += ".old-" + std::to_string(::getpid());
    if (std::rename(folder.c_str(), old.c_str()) != 0)
      return io_error("cannot replace results folder " + in_quotes(folder) + ": " + errno_text());
    if (std::rename(fresh.c_str(), folder.c_str()) != 0) {
      std::string reason = errno_text();
      std::rename(old.c_str(), folder.c_str());
      return io_error("cannot replace results folder " + in_quotes(folder) + ": " + reason);
    }
    remove_gennc_files(old, destination.owned, false);
    return ok();
  }

  // A results folder that also holds other entries: they stay. First a manifest that lists
  // every file gennc may leave there and no recordings replaces the old one, so a crash
  // part way leaves a folder that says it is incomplete and that the next run replaces.
  std::set<std::string> files(destination.owned.begin(), destination.owned.end());
  for (const std::string& f : written)
    if (f != kManifest) files.insert(f);
  nlohmann::json placeholder = {{"format", "gennc-results"},
                                {"format_version", 1},
                                {"incomplete", true},
                                {"files", std::vector<std::string>(files.begin(), files.end())},
                                {"recordings", nlohmann::json::array()}};
  GENNC_TRY(write_file((fresh / kPlaceholder).string(), placeholder.dump(2) + "\n"));
  if (std::rename((fresh / kPlaceholder).c_str(), (folder / kManifest).c_str()) != 0)
    return io_error("cannot replace the results in " + in_quotes(folder) + ": " + errno_text());
  auto incomplete = [&](const std::string& step) {
    return io_error("the results in " + in_quotes(folder) + " are incomplete (manifest.json says so): " + step + ": " +
                    errno_text());
  };
  std::set<std::string> fresh_names(written.begin(), written.end());
  for (const std::string& f : destination.owned)
    if (!fresh_names.count(f) && ::unlink((folder / f).c_str()) != 0 && errno != ENOENT)
      return incomplete("cannot remove " + in_quotes(folder / f));
  for (const std::string& f : written)
    if (f != kManifest && std::rename((fresh / f).c_str(), (folder / f).c_str()) != 0)
      return incomplete("cannot move " + in_quotes(f) + " into place");
  if (std::rename((fresh / kManifest).c_str(), (folder / kManifest).c_str()) != 0)
    return incomplete("cannot move manifest.json into place");
  ::rmdir(fresh.c_str());
  sync_folder(folder.string());
  return ok();
}

}  // namespace gennc::runtime
