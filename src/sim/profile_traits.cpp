#include "sim/profile_traits.h"

namespace servemeter::sim {
namespace {

// One row per simulated server, from the wire transcripts in shared/fixtures/wire.
constexpr ProfileTraits kProfiles[] = {
    {.name = "vllm",
     .headers = HeaderStyle::uvicorn,
     .dialect = Dialect::vllm,
     .json_charset = false,
     .idle_timeout = true,
     .metrics = MetricsStyle::vllm,
     .metrics_content_type = "text/plain; version=0.0.4; charset=utf-8",
     .health = HealthStyle::empty_body,
     .models = ModelsStyle::openai_permissions,
     .tokenize = TokenizeStyle::vllm,
     .version_endpoint = true,
     .ollama_api = false,
     .sglang_api = false,
     .dev_mode_reset_prefix_cache = true,
     .requires_model = false,
     .checks_model = true,
     .model_latest_alias = false,
     .truncates_long_prompts = false,
     .context_error_in_stream = false,
     .checks_max_tokens = true},
    {.name = "sglang",
     .headers = HeaderStyle::uvicorn,
     .dialect = Dialect::sglang,
     .json_charset = false,
     .idle_timeout = true,
     .metrics = MetricsStyle::sglang,
     .metrics_content_type = "text/plain; version=0.0.4; charset=utf-8",
     .health = HealthStyle::empty_body,
     .models = ModelsStyle::openai,
     .tokenize = TokenizeStyle::none,
     .version_endpoint = false,
     .ollama_api = false,
     .sglang_api = true,
     .dev_mode_reset_prefix_cache = false,
     .requires_model = false,
     .checks_model = false,
     .model_latest_alias = false,
     .truncates_long_prompts = false,
     .context_error_in_stream = true,
     .checks_max_tokens = true},
    {.name = "ollama",
     .headers = HeaderStyle::go,
     .dialect = Dialect::ollama,
     .json_charset = true,
     .idle_timeout = false,
     .metrics = MetricsStyle::none,
     .metrics_content_type = "",
     .health = HealthStyle::empty_body,
     .models = ModelsStyle::openai,
     .tokenize = TokenizeStyle::none,
     .version_endpoint = false,
     .ollama_api = true,
     .sglang_api = false,
     .dev_mode_reset_prefix_cache = false,
     .requires_model = true,
     .checks_model = true,
     .model_latest_alias = true,
     .truncates_long_prompts = true,
     .context_error_in_stream = false,
     .checks_max_tokens = true},
    {.name = "llamacpp",
     .headers = HeaderStyle::httplib,
     .dialect = Dialect::llamacpp,
     .json_charset = true,
     .idle_timeout = true,
     .metrics = MetricsStyle::llamacpp,
     .metrics_content_type = "text/plain; version=0.0.4",
     .health = HealthStyle::status_json,
     .models = ModelsStyle::llamacpp,
     .tokenize = TokenizeStyle::llamacpp,
     .version_endpoint = false,
     .ollama_api = false,
     .sglang_api = false,
     .dev_mode_reset_prefix_cache = false,
     .requires_model = false,
     .checks_model = false,
     .model_latest_alias = false,
     .truncates_long_prompts = false,
     .context_error_in_stream = false,
     .checks_max_tokens = false},
};

}  // namespace

const ProfileTraits* find_profile_traits(std::string_view name) {
  for (const auto& traits : kProfiles)
    if (traits.name == name) return &traits;
  return nullptr;
}

std::vector<std::string> profile_list() {
  std::vector<std::string> names;
  for (const auto& traits : kProfiles) names.emplace_back(traits.name);
  return names;
}

std::string profile_names() {
  std::string names;
  const std::size_t n = std::size(kProfiles);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) names += i + 1 == n ? " or " : ", ";
    names += kProfiles[i].name;
  }
  return names;
}

}  // namespace servemeter::sim
