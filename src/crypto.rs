//! Random secrets and their stored form. Secrets (session ids, API tokens, reset and
//! provider links) are 256-bit random values; only their SHA-256 hash is stored, so a
//! leaked database does not hand out working links. The lowest layer: everything from the
//! configuration (the generated secret key) to the ticket kernel uses it.
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new API token: a recognisable prefix plus 256 random bits.
pub fn new_api_token() -> String {
    format!("stf_{}", random_hex(32))
}

/// Equality that takes as long whatever the inputs share: a secret compared with `==` leaks
/// through timing how much of it an attacker guessed right.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA256 of a message: what the widget's signed user assertions carry.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    hmac(key, message)
}

/// A key for one purpose, derived from the server's secret key.
pub fn derive_key(secret: &str, purpose: &str) -> [u8; 32] {
    hmac(secret.as_bytes(), purpose.as_bytes())
}

/// A link token that the server can compute again from a stored random salt, while the
/// database holds only the salt and the token's hash: without the server's key neither
/// gives the token away.
pub fn derived_token(key: &[u8; 32], salt: &str) -> String {
    hex::encode(hmac(key, salt.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_tokens_repeat_for_the_same_salt_and_key_only() {
        let key = derive_key("secret", "links");
        let salt = random_hex(32);
        let token = derived_token(&key, &salt);
        assert_eq!(token.len(), 64);
        assert_eq!(token, derived_token(&key, &salt));
        assert_ne!(token, derived_token(&key, &random_hex(32)));
        assert_ne!(token, derived_token(&derive_key("other", "links"), &salt));
    }
}
