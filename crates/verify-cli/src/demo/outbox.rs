//! The codes the demo types: the right one, read from the sandbox's outbox,
//! and a wrong one made from it.

use verify_sandbox::Sandbox;
use verify_ureq::Code;

use super::report::StepResult;

/// The code of the latest message the sandbox "delivered" to `to` for the verification `id`.
pub fn outbox_code(sandbox: &Sandbox, to: &str, id: &str) -> StepResult<Code> {
    let messages = sandbox.messages_to(to);
    let message = messages
        .iter()
        .rev()
        .find(|m| m.verification_id.eq_ignore_ascii_case(id))
        .ok_or_else(|| {
            format!(
                "no message for {id} in the outbox ({} for this number)",
                messages.len()
            )
        })?;
    Ok((
        Code::new(message.code.clone()),
        format!(
            "sandbox outbox (fake code, shown on purpose): \"{}\"",
            message.code
        ),
    ))
}

/// A code of the same length that is certainly wrong: every digit shifted by one.
pub fn wrong_code(code: &Code) -> Code {
    Code::new(shifted(code.expose_secret()))
}

/// `code` with every digit shifted by one (9 becomes 0), anything else `0`.
fn shifted(code: &str) -> String {
    code.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_digit((d + 1) % 10, 10).unwrap_or('0'),
            None => '0',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_code_differs_in_every_digit() {
        assert_eq!(shifted("1234567"), "2345678");
        assert_eq!(shifted("909"), "010");
        assert_eq!(wrong_code(&Code::new("123")).expose_secret(), "234");
    }
}
