//! How the fuzzer's bytes become inputs: NUL-separated fields, and an HTTP
//! response written like HTTP/1.1 without the version. The `encode_*`
//! functions are the inverse, for whoever writes seeds by hand.

/// The fields of a multi-field input: NUL-separated, each read as lossy
/// UTF-8; missing fields are empty. Seeds stay readable and the fuzzer can
/// still reach every split.
pub struct Fields<'a> {
    parts: Vec<&'a [u8]>,
}

impl<'a> Fields<'a> {
    /// Splits `data` on NUL bytes.
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            parts: data.split(|&b| b == 0).collect(),
        }
    }

    /// How many fields there are (at least 1: no NUL is one field).
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether there is no field at all (never: see [`len`](Self::len)).
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Field `i` as bytes (empty when absent).
    pub fn bytes(&self, i: usize) -> &'a [u8] {
        self.parts.get(i).copied().unwrap_or(&[])
    }

    /// Field `i` as text (lossy UTF-8, empty when absent).
    pub fn text(&self, i: usize) -> String {
        String::from_utf8_lossy(self.bytes(i)).into_owned()
    }

    /// Field `i` as a small number (its first byte, 0 when absent).
    pub fn byte(&self, i: usize) -> u8 {
        self.bytes(i).first().copied().unwrap_or(0)
    }
}

/// Encodes fields the way [`Fields`] decodes them.
pub fn encode_fields(fields: &[&[u8]]) -> Vec<u8> {
    fields.join(&0u8)
}

/// A response from fuzzer bytes: `STATUS\nName: value\n...\n\nBODY`, like
/// HTTP/1.1 without the version. A first line that is not a status gives 200
/// and the whole input as the body; malformed header lines are skipped.
pub fn response(data: &[u8]) -> http::Response<&[u8]> {
    let mut builder = http::Response::builder();
    let mut body: &[u8] = data;
    if let Some(nl) = data.iter().position(|&b| b == b'\n') {
        let (first, rest) = data.split_at(nl);
        let rest = rest.get(1..).unwrap_or(&[]);
        let status = std::str::from_utf8(first)
            .ok()
            .and_then(|s| s.trim().parse::<u16>().ok())
            .and_then(|s| http::StatusCode::from_u16(s).ok());
        if let Some(status) = status {
            builder = builder.status(status);
            body = rest;
            // Headers until an empty line.
            while let Some(nl) = body.iter().position(|&b| b == b'\n') {
                let (line, after) = body.split_at(nl);
                let after = after.get(1..).unwrap_or(&[]);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                body = after;
                if line.is_empty() {
                    break;
                }
                if let Some(colon) = line.iter().position(|&b| b == b':') {
                    let (name, value) = line.split_at(colon);
                    let value = value.get(1..).unwrap_or(&[]).trim_ascii();
                    if let (Ok(n), Ok(v)) = (
                        http::HeaderName::from_bytes(name.trim_ascii()),
                        http::HeaderValue::from_bytes(value),
                    ) {
                        builder = builder.header(n, v);
                    }
                }
            }
        }
    }
    builder
        .body(body)
        .unwrap_or_else(|_| http::Response::new(body))
}

/// Encodes a response the way [`response`] decodes it.
pub fn encode_response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{status}\n").into_bytes();
    for (n, v) in headers {
        out.extend_from_slice(format!("{n}: {v}\n").as_bytes());
    }
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}
