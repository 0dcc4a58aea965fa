// The digests, encodings and randomness docgen's ids, catalog digests and
// token hashes are made of, checked against published test vectors: a change
// of library (OpenSSL to nettle) or of code must give the same bytes.
#include "util/text.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace docgen {
namespace {

TEST(Sha256, GivesTheDigestsOfFips180Examples) {
  EXPECT_EQ(Sha256Hex(""), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, FedInPiecesGivesTheDigestOfTheWhole) {
  Sha256 hash;
  const std::string thousand(1000, 'a');
  for (int i = 0; i < 1000; ++i) hash.Update(thousand);  // a million 'a's
  EXPECT_EQ(hash.HexDigest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Base64, EncodesTheRfc4648Examples) {
  const std::pair<std::string, std::string> examples[] = {{"", ""},
                                                          {"f", "Zg=="},
                                                          {"fo", "Zm8="},
                                                          {"foo", "Zm9v"},
                                                          {"foob", "Zm9vYg=="},
                                                          {"fooba", "Zm9vYmE="},
                                                          {"foobar", "Zm9vYmFy"}};
  for (const auto& [bytes, text] : examples) {
    EXPECT_EQ(Base64Encode(bytes), text);
    EXPECT_EQ(Base64Decode(text), bytes) << text;
  }
  const std::string all = [] {
    std::string s;
    for (int c = 0; c < 256; ++c) s += static_cast<char>(c);
    return s;
  }();
  EXPECT_EQ(Base64Decode(Base64Encode(all)), all) << "every byte value, '+' and '/' included";
}

TEST(Base64, RefusesWhatIsNotStandardBase64WithPadding) {
  for (const char* text :
       {"Zg", "Zg=", "Zm8", "Z===", "Zg==Zg==", "Zm=v", " Zm9v", "Zm9v\n", "Zm 9v", "Zm9-", "Zm9_", "Zm9v====", "Zh==",
        "Zm9="}) {  // the last two hold bits past their last byte (RFC 4648 §3.5 lets a decoder refuse them)
    EXPECT_FALSE(Base64Decode(text)) << '"' << text << '"';
  }
}

TEST(RandomHex, GivesLowerCaseHexOfTheLengthAskedForAndNeverTheSameTwice) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string hex = RandomHex(16);
    ASSERT_EQ(hex.size(), 32u);
    EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << hex;
    seen.insert(hex);
  }
  EXPECT_EQ(seen.size(), 100u);
  std::string large(1 << 20, '\0');  // more than one getrandom call returns at once
  ASSERT_TRUE(FillRandom(large.data(), large.size()));
  EXPECT_NE(large.find_first_not_of('\0'), std::string::npos);
  EXPECT_NE(large.substr(large.size() - 64).find_first_not_of('\0'), std::string::npos) << "filled to the end";
}

}  // namespace
}  // namespace docgen
