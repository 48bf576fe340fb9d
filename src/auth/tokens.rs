//! Random secrets and their stored form. Secrets (session ids, API tokens, reset and
//! provider links) are 256-bit random values; only their SHA-256 hash is stored, so a
//! leaked database does not hand out working links.
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
