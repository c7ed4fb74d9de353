#pragma once
#include <filesystem>

namespace servemeter {

// The folder of the data servemeter ships (framework presets, scenarios, corpora, simulator
// profiles): $SERVEMETER_DATA_DIR when set, else the folder the build recorded.
std::filesystem::path data_dir();

}  // namespace servemeter
