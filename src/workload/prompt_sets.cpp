#include "workload/prompt_sets.h"

#include <yaml-cpp/yaml.h>

#include <set>

namespace servemeter {
namespace {

YAML::Node load(const std::filesystem::path& file) {
  try {
    return YAML::LoadFile(file.string());
  } catch (const YAML::Exception& e) {
    throw DatasetError("cannot read prompt set " + file.string() + ": " + e.what());
  }
}

std::string text(const YAML::Node& node, const std::string& where,
                 const std::filesystem::path& file) {
  if (!node || !node.IsScalar() || node.Scalar().empty())
    throw DatasetError("prompt set " + file.string() + ": " + where + " must be non-empty text");
  return node.Scalar();
}

std::vector<std::string> texts(const YAML::Node& node, const std::string& where,
                               const std::filesystem::path& file) {
  if (!node || !node.IsSequence() || node.size() == 0)
    throw DatasetError("prompt set " + file.string() + ": " + where + " must be a non-empty list");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i)
    out.push_back(text(node[i], where + "[" + std::to_string(i) + "]", file));
  return out;
}

}  // namespace

std::vector<KoreanPair> load_korean_pairs(const std::filesystem::path& file) {
  const YAML::Node root = load(file);
  if (!root.IsSequence() || root.size() == 0)
    throw DatasetError("prompt set " + file.string() + " must be a list of pairs");
  static const std::set<std::string> kTypes = {"short_question", "essay", "technical", "summarize",
                                               "translate"};
  std::vector<KoreanPair> pairs;
  for (std::size_t i = 0; i < root.size(); ++i) {
    const std::string where = "pair " + std::to_string(i + 1);
    KoreanPair p;
    p.id = text(root[i]["id"], where + " id", file);
    p.type = text(root[i]["type"], where + " type", file);
    if (!kTypes.contains(p.type))
      throw DatasetError("prompt set " + file.string() + ": " + where + " has unknown type '" +
                         p.type + "'");
    p.ko = text(root[i]["ko"], where + " ko", file);
    p.en = text(root[i]["en"], where + " en", file);
    pairs.push_back(std::move(p));
  }
  return pairs;
}

PrefixCacheSet load_prefix_cache_set(const std::filesystem::path& file) {
  const YAML::Node root = load(file);
  if (!root.IsMap()) throw DatasetError("prompt set " + file.string() + " must be a map");
  PrefixCacheSet set;
  set.shared_system_prompt = text(root["shared_system_prompt"], "shared_system_prompt", file);
  set.questions = texts(root["questions"], "questions", file);
  set.control_system_prompts =
      texts(root["control_system_prompts"], "control_system_prompts", file);
  return set;
}

}  // namespace servemeter
