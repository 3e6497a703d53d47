// The Ed25519 key pair the fuzz targets sign and verify with. Made for
// fuzzing only (openssl genpkey -algorithm ed25519); it signs nothing real.
#ifndef HARTSLAG_TESTS_FUZZ_FUZZ_KEY_H_
#define HARTSLAG_TESTS_FUZZ_FUZZ_KEY_H_

namespace hartslag::fuzz {

inline constexpr char kPrivateKeyPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIPhktlm3yW7imqVou2fXTheqcI7/7kOWU/peZI6y7mMw\n"
    "-----END PRIVATE KEY-----\n";

inline constexpr char kPublicKeyPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAVHDKuw1YR8G9zQs9wMzcFHt0ZqGvliKHG2h91WCGIAg=\n"
    "-----END PUBLIC KEY-----\n";

}  // namespace hartslag::fuzz

#endif  // HARTSLAG_TESTS_FUZZ_FUZZ_KEY_H_
