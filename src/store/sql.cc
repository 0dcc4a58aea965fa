#include "store/sql.h"

#include <charconv>

namespace docgen {

int64_t SqlRow::Int(size_t column) const {
  const std::string& text = values_.at(column);
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);  // "" (NULL) reads as 0
  return value;
}

}  // namespace docgen
