#include "config/options.h"

namespace localsgd {

std::vector<std::string> OptionSet::keys() const {
  struct Names : FieldVisitor {
    std::vector<std::string> names;
    void field(const char* k, double&) override { names.emplace_back(k); }
    void field(const char* k, int&) override { names.emplace_back(k); }
    void field(const char* k, std::int64_t&) override { names.emplace_back(k); }
    void field(const char* k, bool&) override { names.emplace_back(k); }
    void field(const char* k, std::string&) override { names.emplace_back(k); }
    void field(const char* k, std::vector<double>&) override { names.emplace_back(k); }
  } names;
  clone()->visit(names);
  return names.names;
}

}  // namespace localsgd
