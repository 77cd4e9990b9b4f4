//! Every decision is a `tracing` event. Alone in its own test binary: a
//! scoped subscriber misses events whose callsites other test threads
//! registered first while no subscriber listened.

use std::sync::{Arc, Mutex};

use verify_shield::{Decision, MemoryStore, Rules, SendFacts, Shield};

const T0: u64 = 1_800_000_000_000;

fn shield(rules: Rules) -> Shield<MemoryStore> {
    Shield::new(rules, MemoryStore::new())
}

fn send_keys(s: &Shield<MemoryStore>, now: u64, number: &str, keys: &[&str]) -> Decision {
    let keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
    s.decide_send(
        now,
        &SendFacts {
            number,
            client_keys: &keys,
            segments: 1,
        },
    )
}

fn send(s: &Shield<MemoryStore>, now: u64, number: &str) -> Decision {
    send_keys(s, now, number, &[])
}

/// A writer the test reads back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn every_decision_is_an_event_with_rule_country_and_block_never_the_number() {
    let out = Captured::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let s = shield(Rules::default());
        let keys = ["ip:192.0.2.1"];
        assert!(send_keys(&s, T0, "447400123456", &keys).is_allowed());
        send_keys(&s, T0 + 1, "447400123456", &keys);
        send(&s, T0 + 2, "449098790000");
        s.check_allowed(T0 + 3, "447400123456");
    });
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains("decision=\"allowed\""), "{text}");
    assert!(text.contains("rule=\"number_cooldown\""), "{text}");
    assert!(text.contains("rule=\"number_type\""), "{text}");
    assert!(text.contains("country=GB"), "{text}");
    assert!(text.contains("block=447400123"), "{text}");
    assert!(!text.contains("447400123456"), "{text}");
    assert!(!text.contains("449098790000"), "{text}");
}
