#pragma once
// Where the model presets' tokenizer files are found at run time: the folder that
// scripts/fetch-tokenizers.sh fills ($SERVEMETER_TOKENIZER_DIR, else
// ${XDG_CACHE_HOME:-$HOME/.cache}/servemeter/tokenizers).
#include <filesystem>
#include <optional>
#include <string_view>

namespace servemeter {

std::filesystem::path tokenizer_cache_dir();

// The tokenizer.json of a model preset ("gpt-oss-20b", "llama3.1-8b") when it has been
// fetched; nullopt for another preset or when the file is not there.
std::optional<std::filesystem::path> packaged_tokenizer(std::string_view preset);

}  // namespace servemeter
