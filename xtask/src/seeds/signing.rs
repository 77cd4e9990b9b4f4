//! Seeds from TeleSign's signing and callback vectors, wherever they sit in
//! a vector file.

use serde_json::Value;

use super::encode::fields;
use super::vectors::s;
use super::{Seeds, add};

/// The customer id of a vector that names none (TeleSign's published one).
const CUSTOMER_ID: &str = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890";
/// The reference id a Basic-auth vector's request is given.
const REFERENCE_ID: &str = "0123456789ABCDEF0123456789ABCDEF";

/// Walks a vector file and turns every signing and callback vector into
/// seeds (the `cases` files are read by [`from_cases`](super::cases::from_cases)).
pub(super) fn from_vectors(stem: &str, value: &Value, seeds: &mut Seeds) {
    let mut n = 0usize;
    walk(value, &mut |v| {
        n += 1;
        let name = format!("{stem}-{n:03}");
        // A TeleSign signing vector.
        if let (Some(method), Some(date), Some(nonce), Some(resource), Some(key)) = (
            s(v, "method"),
            s(v, "date"),
            s(v, "nonce"),
            s(v, "resource"),
            s(v, "api_key"),
        ) {
            add(
                seeds,
                "telesign_signing",
                name.clone(),
                fields(&[
                    method.as_bytes(),
                    s(v, "content_type").unwrap_or("").as_bytes(),
                    date.as_bytes(),
                    nonce.as_bytes(),
                    s(v, "body").unwrap_or("").as_bytes(),
                    resource.as_bytes(),
                    s(v, "customer_id").unwrap_or(CUSTOMER_ID).as_bytes(),
                    key.as_bytes(),
                ]),
            );
        }
        // A Basic-auth vector: credentials and their header, no request.
        if let (None, Some(customer_id), Some(key), Some(_)) = (
            s(v, "method"),
            s(v, "customer_id"),
            s(v, "api_key"),
            s(v, "authorization"),
        ) {
            add(
                seeds,
                "telesign_signing",
                name.clone(),
                fields(&[
                    b"GET",
                    b"",
                    b"Wed, 14 Dec 2016 18:20:12 GMT",
                    b"A1592C6F-E384-4CDB-BC42-C3AB970369E9",
                    b"",
                    format!("/v1/verify/{REFERENCE_ID}").as_bytes(),
                    customer_id.as_bytes(),
                    key.as_bytes(),
                ]),
            );
        }
        // A callback vector: a raw body and its signature, no request line,
        // in each header form `checks::telesign_callback` decodes (mode 0:
        // `Authorization`, 1: `X-TS-Authorization`; `TSA id:sig` or bare).
        if let (None, Some(body), Some(sig)) = (s(v, "method"), s(v, "body"), s(v, "signature")) {
            let tsa = format!("TSA {CUSTOMER_ID}:{sig}");
            for (form, mode, value) in [
                ("a", &b""[..], tsa.as_str()),
                ("b", b"\x01", tsa.as_str()),
                ("c", b"", sig),
                ("d", b"\x01", sig),
            ] {
                add(
                    seeds,
                    "telesign_callback",
                    format!("{name}{form}"),
                    fields(&[mode, value.as_bytes(), body.as_bytes()]),
                );
            }
        }
    });
}

fn walk(value: &Value, f: &mut dyn FnMut(&Value)) {
    match value {
        Value::Object(map) => {
            f(value);
            for v in map.values() {
                walk(v, f);
            }
        }
        Value::Array(items) => {
            for v in items {
                walk(v, f);
            }
        }
        _ => {}
    }
}
