// Reading a component's config.json into typed structs: unknown keys are ignored; a missing key, a
// value of the wrong type, or a number that is NaN, infinite or out of range gives an EngineError that
// names the file and the key.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace kinora::engine {

class ConfigReader {
public:
    // Reads and parses `path` (at most 16 MiB of JSON).
    static ConfigReader fromFile(const std::string& path);
    // Parses `text` as the contents of a config file called `where` (fromFile's parsing; the fuzzer's
    // entry point).
    static ConfigReader fromText(const std::string& where, const std::string& text);
    ConfigReader(std::string where, nlohmann::json json);

    const std::string& where() const { return where_; }
    const nlohmann::json& raw() const { return json_; }
    bool has(const std::string& key) const;            // present and not null
    [[noreturn]] void fail(const std::string& key, const std::string& what) const;

    // Required values.
    int64_t integer(const std::string& key, int64_t min = 0, int64_t max = (int64_t{1} << 40)) const;
    double number(const std::string& key) const;  // finite
    bool boolean(const std::string& key) const;
    std::string string(const std::string& key) const;
    std::vector<int64_t> integers(const std::string& key, int64_t min = 0, int64_t max = (int64_t{1} << 40)) const;
    std::vector<double> numbers(const std::string& key) const;
    std::vector<bool> booleans(const std::string& key) const;

    // Optional values: the default when the key is absent or null; an error when present but wrong.
    int64_t integerOr(const std::string& key, int64_t fallback, int64_t min = 0, int64_t max = (int64_t{1} << 40)) const;
    double numberOr(const std::string& key, double fallback) const;
    bool booleanOr(const std::string& key, bool fallback) const;
    std::string stringOr(const std::string& key, const std::string& fallback) const;
    std::optional<int64_t> optionalInteger(const std::string& key, int64_t min = 0,
                                           int64_t max = (int64_t{1} << 40)) const;

private:
    const nlohmann::json& at(const std::string& key) const;
    std::string where_;
    nlohmann::json json_;
};

}  // namespace kinora::engine
