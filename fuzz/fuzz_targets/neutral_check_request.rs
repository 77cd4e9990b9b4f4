#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| verify_fuzz::checks::neutral_check_request(data));
