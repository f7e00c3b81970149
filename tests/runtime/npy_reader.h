// Reads the .npy files of a results folder back (format 1.0, little-endian, C order).
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace gennc::runtime::test {

struct Npy {
  std::string descr;             // "<f8", "<f4", "<i8"
  std::vector<uint64_t> shape;
  std::vector<double> values;    // every element converted to double
  bool ok = false;
};

inline Npy read_npy(const std::string& path) {
  Npy npy;
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0 || bytes[6] != 1) return npy;
  size_t header_length = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
  if ((10 + header_length) % 64 != 0 || bytes.size() < 10 + header_length) return npy;
  std::string header = bytes.substr(10, header_length);
  size_t d = header.find("'descr': '");
  npy.descr = header.substr(d + 10, 3);
  size_t s = header.find("'shape': (") + 10;
  std::string dims = header.substr(s, header.find(')', s) - s);
  for (size_t at = 0; at < dims.size();) {
    size_t comma = dims.find(',', at);
    std::string part = dims.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (part.find_first_not_of(' ') != std::string::npos) npy.shape.push_back(std::stoull(part));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  uint64_t count = 1;
  for (uint64_t n : npy.shape) count *= n;
  const char* data = bytes.data() + 10 + header_length;
  size_t width = npy.descr == "<f4" ? 4 : 8;
  if (bytes.size() - 10 - header_length != count * width) return npy;
  for (uint64_t k = 0; k < count; ++k) {
    if (npy.descr == "<f8") {
      double v;
      std::memcpy(&v, data + 8 * k, 8);
      npy.values.push_back(v);
    } else if (npy.descr == "<f4") {
      float v;
      std::memcpy(&v, data + 4 * k, 4);
      npy.values.push_back(v);
    } else {
      int64_t v;
      std::memcpy(&v, data + 8 * k, 8);
      npy.values.push_back(static_cast<double>(v));
    }
  }
  npy.ok = true;
  return npy;
}

}  // namespace gennc::runtime::test
