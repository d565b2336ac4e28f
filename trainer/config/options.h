// Defines OptionSet: the typed keys one kind (an algorithm, a model) adds to its family's
// section, declared in the kind's own file instead of in RunConfig. The loader reads, checks
// and writes them like every built-in key (located errors, did-you-mean, round trip), through
// a FieldVisitor; the kind gets its struct back with options_for<T>(config, kind).
//
//   struct WarmupOptions { std::string warmup_shape = "linear"; double warmup_epochs = 1; };
//   template <class V> void visit_fields(WarmupOptions& o, V& v) {
//     v("warmup_shape", o.warmup_shape); v("warmup_epochs", o.warmup_epochs); }
//   ... KindSchema{..., .options = std::make_shared<OptionsOf<WarmupOptions>>()}
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace localsgd {

class FieldVisitor;

namespace options_detail {
// Forwards visit_fields' template calls to a FieldVisitor's virtual ones.
struct Forward {
  FieldVisitor& v;
  template <class F>
  void operator()(const char* key, F& field);
};
}  // namespace options_detail

// Every field type a config key can have.
class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  virtual void field(const char* key, double& value) = 0;
  virtual void field(const char* key, int& value) = 0;
  virtual void field(const char* key, std::int64_t& value) = 0;
  virtual void field(const char* key, bool& value) = 0;
  virtual void field(const char* key, std::string& value) = 0;
  virtual void field(const char* key, std::vector<double>& value) = 0;
};

template <class F>
void options_detail::Forward::operator()(const char* key, F& field) {
  v.field(key, field);
}

// A FieldVisitor that hands every field to a template visitor's operator()(key, field): how
// the loader, the writer and --describe walk a kind's keys like the built-in ones.
template <class V>
class FieldVisitorFor : public FieldVisitor {
 public:
  explicit FieldVisitorFor(V& visitor) : v_(visitor) {}
  void field(const char* key, double& value) override { v_(key, value); }
  void field(const char* key, int& value) override { v_(key, value); }
  void field(const char* key, std::int64_t& value) override { v_(key, value); }
  void field(const char* key, bool& value) override { v_(key, value); }
  void field(const char* key, std::string& value) override { v_(key, value); }
  void field(const char* key, std::vector<double>& value) override { v_(key, value); }

 private:
  V& v_;
};

class OptionSet {
 public:
  virtual ~OptionSet() = default;
  virtual void visit(FieldVisitor& visitor) = 0;
  virtual std::shared_ptr<OptionSet> clone() const = 0;
  std::vector<std::string> keys() const;  // in visiting order
};

// The OptionSet of a plain struct T with a visit_fields(T&, V&) found by ADL.
template <class T>
class OptionsOf : public OptionSet {
 public:
  OptionsOf() = default;
  explicit OptionsOf(T value) : value(std::move(value)) {}
  void visit(FieldVisitor& visitor) override {
    options_detail::Forward forward{visitor};
    visit_fields(value, forward);
  }
  std::shared_ptr<OptionSet> clone() const override { return std::make_shared<OptionsOf<T>>(value); }
  T value;
};

}  // namespace localsgd
