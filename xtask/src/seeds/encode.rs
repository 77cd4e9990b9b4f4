//! The two input layouts the fuzz checks decode (`fuzz/src/checks/input.rs`).

/// Response headers, name and value.
pub(super) type Headers = Vec<(String, String)>;

/// NUL-separated fields (`checks::input::Fields`).
pub(super) fn fields(parts: &[&[u8]]) -> Vec<u8> {
    parts.join(&0u8)
}

/// `STATUS\nName: value\n\nBODY` (`checks::input::response`).
pub(super) fn response(status: u64, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{status}\n").into_bytes();
    for (n, v) in headers {
        out.extend_from_slice(format!("{n}: {v}\n").as_bytes());
    }
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}
