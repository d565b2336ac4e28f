// Defines to_toml(): the effective RunConfig as TOML text, every key in declaration order,
// written by hand (no toml++ here) so that load_config() reads back an equal config:
// doubles in shortest round-trip form and always as floats, absent optionals omitted.
#include <cstdio>
#include <sstream>

#include "config.h"
#include "config_problems.h"

namespace localsgd {
namespace {

std::string toml_float(double value) {
  std::string text = config_detail::format_number(value);
  if (text.find_first_of(".eni") == std::string::npos) text += ".0";  // "3" would be an integer
  return text;
}

std::string toml_string(const std::string& value) {
  std::string out = "\"";
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04X", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

class Writer {
 public:
  void section(const char* name) { out_ << (out_.tellp() > 0 ? "\n[" : "[") << name << "]\n"; }
  void key(const char* name, double v) { out_ << name << " = " << toml_float(v) << "\n"; }
  void key(const char* name, int v) { out_ << name << " = " << v << "\n"; }
  void key(const char* name, std::int64_t v) { out_ << name << " = " << v << "\n"; }
  void key(const char* name, std::uint64_t v) { out_ << name << " = " << v << "\n"; }
  void key(const char* name, bool v) { out_ << name << " = " << (v ? "true" : "false") << "\n"; }
  void key(const char* name, const std::string& v) {
    out_ << name << " = " << toml_string(v) << "\n";
  }
  void key(const char* name, const std::vector<double>& v) {
    out_ << name << " = [";
    for (std::size_t i = 0; i < v.size(); ++i) out_ << (i > 0 ? ", " : "") << toml_float(v[i]);
    out_ << "]\n";
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

}  // namespace

std::string to_toml(const RunConfig& c) {
  Writer w;
  w.section("run");
  w.key("seed", c.run.seed);
  w.key("epochs", c.run.epochs);
  w.key("eval_every_epochs", c.run.eval_every_epochs);
  w.key("threads", c.run.threads);

  w.section("data");
  w.key("dataset", c.data.dataset);
  w.key("path", c.data.path);
  w.key("train_subset", c.data.train_subset);
  w.key("test_subset", c.data.test_subset);
  w.key("augment", c.data.augment);
  w.key("eval_batch", c.data.eval_batch);

  w.section("model");
  w.key("arch", c.model.arch);
  w.key("depth", c.model.depth);
  w.key("width", c.model.width);

  w.section("algorithm");
  w.key("kind", c.algorithm.kind);
  w.key("workers", c.algorithm.workers);
  w.key("local_batch", c.algorithm.local_batch);
  w.key("local_steps", c.algorithm.local_steps);
  if (c.algorithm.switch_epoch >= 0) w.key("switch_epoch", c.algorithm.switch_epoch);
  w.key("bn_stats", c.algorithm.bn_stats);
  w.key("momentum", c.algorithm.momentum);

  w.section("optimizer");
  w.key("lr", c.optimizer.lr);
  w.key("base_batch", c.optimizer.base_batch);
  w.key("lr_scaling", c.optimizer.lr_scaling);
  w.key("momentum", c.optimizer.momentum);
  w.key("nesterov", c.optimizer.nesterov);
  w.key("weight_decay", c.optimizer.weight_decay);
  w.key("decay_bn", c.optimizer.decay_bn);
  w.key("decay_bias", c.optimizer.decay_bias);

  w.section("schedule");
  w.key("warmup_epochs", c.schedule.warmup_epochs);
  if (c.schedule.warmup_lr >= 0) w.key("warmup_lr", c.schedule.warmup_lr);
  w.key("decay_at", c.schedule.decay_at);
  w.key("decay_factor", c.schedule.decay_factor);
  return "# effective config written by localsgd-train\n\n" + w.text();
}

}  // namespace localsgd
