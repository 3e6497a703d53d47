// Runs a fuzz target once on each input it is given, without libFuzzer:
// `<name>_fuzz_replay corpus/<name>` is the seed corpus as a regression test
// of the ordinary build (tests/fuzz/CMakeLists.txt). An abort, an uncaught
// exception or a crash fails the test; in the AddressSanitizer build
// (tools/test.sh --sanitize) so do a memory error and undefined behaviour.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path path(argv[i]);
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.is_regular_file()) inputs.push_back(entry.path());
      }
    } else {
      inputs.push_back(path);
    }
  }
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    std::cerr << "no inputs: give the corpus directory or files\n";
    return 2;
  }
  for (const std::filesystem::path& path : inputs) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      std::cerr << path << ": cannot be read\n";
      return 2;
    }
    std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::cout << path.filename().string() << " (" << bytes.size() << " bytes)" << std::endl;
    // In a buffer of exactly its size, as libFuzzer gives it, so that
    // AddressSanitizer sees a read one byte past its end.
    std::unique_ptr<uint8_t[]> input(new uint8_t[bytes.size()]);
    std::copy(bytes.begin(), bytes.end(), input.get());
    LLVMFuzzerTestOneInput(input.get(), bytes.size());
  }
  std::cout << inputs.size() << " inputs, no fault\n";
  return 0;
}
