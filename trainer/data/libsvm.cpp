#include "data/libsvm.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "config/config.h"
#include "data/dataset.h"
#include "data/feature_source.h"
#include "data/file_bytes.h"

namespace localsgd {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Splits a line (comment removed) into whitespace-separated tokens.
std::vector<std::string_view> tokens_of(std::string_view line) {
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i > start) tokens.push_back(line.substr(start, i - start));
  }
  return tokens;
}

// The whole of `text` as a number; a leading '+' is accepted ("+1" labels), which from_chars is not.
template <class T>
bool parse_whole(std::string_view text, T& value) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  return error == std::errc() && ptr == end;
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

}  // namespace

SparseSamples read_libsvm(const std::string& path) {
  const Bytes bytes = read_file_bytes(path);
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  SparseSamples out;
  out.row_starts.push_back(0);
  std::size_t begin = 0;
  for (std::int64_t line_number = 1; begin < text.size(); ++line_number) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    const auto tokens = tokens_of(line);
    if (tokens.empty()) continue;
    const std::string where = "line " + std::to_string(line_number) + ": ";
    auto bad = [&](const std::string& what) { data_file_error(path, where + what); };
    double label = 0;
    if (!parse_whole(tokens[0], label) || !std::isfinite(label))
      bad("expected a label (a finite number) first, got " + quoted(tokens[0]));
    std::int64_t previous = 0;
    for (std::size_t t = 1; t < tokens.size(); ++t) {
      const std::string_view token = tokens[t];
      const auto colon = token.find(':');
      if (colon == std::string_view::npos) bad("expected <index>:<value>, got " + quoted(token));
      const std::string_view index_text = token.substr(0, colon), value_text = token.substr(colon + 1);
      if (index_text == "qid") bad("qid (svmlight ranking groups) is not supported");
      std::int64_t index = 0;
      if (!parse_whole(index_text, index) || index < 1)
        bad("expected a feature index >= 1 before ':', got " + quoted(token));
      if (index <= previous)
        bad("feature indices must be strictly ascending: " + std::to_string(index) + " after " +
            std::to_string(previous));
      float value = 0;
      if (!parse_whole(value_text, value) || !std::isfinite(value))
        bad("expected a finite number after '" + std::string(index_text) + ":', got " + quoted(value_text));
      previous = index;
      if (value == 0) continue;  // stored sparsely
      out.indices.push_back(index - 1);
      out.values.push_back(value);
    }
    out.dimension = std::max(out.dimension, previous);
    out.labels.push_back(label);
    out.row_starts.push_back(static_cast<std::int64_t>(out.indices.size()));
  }
  if (out.labels.empty()) data_file_error(path, "no samples (an empty LIBSVM file)");
  return out;
}

torch::Tensor dense_features(const SparseSamples& samples, std::int64_t dimension) {
  auto dense = torch::zeros({samples.size(), dimension}, torch::kFloat);
  float* data = dense.data_ptr<float>();
  for (std::int64_t i = 0; i < samples.size(); ++i)
    for (std::int64_t e = samples.row_starts[i]; e < samples.row_starts[i + 1]; ++e)
      data[i * dimension + samples.indices[e]] = samples.values[e];
  return dense;
}

}  // namespace localsgd

namespace localsgd {
namespace {

// A label as text: "-1", "0.5".
std::string label_text(double label) {
  char text[32];
  std::snprintf(text, sizeof text, "%.15g", label);
  return text;
}

// Class 0/1 of each label; `values` are the two label values in ascending order.
torch::Tensor binary_labels(const SparseSamples& samples, const std::vector<double>& values, const std::string& path) {
  auto labels = torch::empty({samples.size()}, torch::kLong);
  auto* out = labels.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < samples.size(); ++i) {
    const double label = samples.labels[i];
    if (label != values[0] && label != values[1])
      data_file_error(path, "sample " + std::to_string(i + 1) + " has label " + label_text(label) +
                                ", not one of the training labels " + label_text(values[0]) +
                                " and " + label_text(values[1]));
    out[i] = label == values[1] ? 1 : 0;
  }
  return labels;
}

std::shared_ptr<const InMemoryFeatures> first(torch::Tensor features, torch::Tensor labels, std::int64_t n,
                                              const std::string& key, const std::string& path) {
  if (n > features.size(0))
    data_file_error(path, key + " = " + std::to_string(n) + " but only " + std::to_string(features.size(0)) +
                              " samples are available");
  if (n > 0) features = features.narrow(0, 0, n).clone(), labels = labels.narrow(0, 0, n).clone();
  return std::make_shared<InMemoryFeatures>(features, labels, 2);
}

}  // namespace

LibsvmSplits load_libsvm(const DataSection& data) {
  if (data.path.empty())
    throw DataError("data.path is empty: for data.dataset = \"libsvm\" set it to the training file (its test "
                    "split beside it with .t appended, as the LIBSVM site names them: w8a and w8a.t)");
  const std::string train_path = data.path, test_path = data.path + ".t";
  const SparseSamples train = read_libsvm(train_path), test = read_libsvm(test_path);
  std::vector<double> values(train.labels.begin(), train.labels.end());
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  if (values.size() != 2)
    data_file_error(train_path, "expected binary labels (exactly two values), got " + std::to_string(values.size()) +
                                    (values.size() == 1 ? " (every sample has label " +
                                                              label_text(values[0]) + ")"
                                                        : ""));
  const std::int64_t dimension = std::max(train.dimension, test.dimension);
  LibsvmSplits splits;
  splits.train = first(dense_features(train, dimension), binary_labels(train, values, train_path),
                       data.train_subset, "data.train_subset", train_path);
  splits.test = first(dense_features(test, dimension), binary_labels(test, values, test_path), data.test_subset,
                      "data.test_subset", test_path);
  return splits;
}

}  // namespace localsgd
