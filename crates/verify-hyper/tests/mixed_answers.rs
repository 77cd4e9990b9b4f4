//! A send answered with an attempted status and a refusal code at once
//! reaches the server exactly once, and the error says a message may have
//! gone out.

use verify_conformance::{MIXED_ANSWERS, MixedServer};
use verify_core::BaseUrl;
use verify_core::telesign::{Config, Credentials, SendSms};

#[tokio::test]
async fn a_mixed_answer_is_never_repeated() {
    for &(status, body) in MIXED_ANSWERS {
        let server = MixedServer::start(status, body);
        let config = Config::new(Credentials::new("CUSTOMER", "VGVzdCBLZXk=").expect("creds"))
            .with_base_url(BaseUrl::allow_plain_http(&server.url).expect("url"));
        let client = verify_hyper::Client::new(config).expect("client");
        let err = client
            .execute(&SendSms::new("15555550100"))
            .await
            .expect_err("a failed send");
        assert!(err.message_may_have_been_sent(), "{status} {body}: {err}");
        assert_eq!(err.attempts(), 1, "{err}");
        assert_eq!(server.hits(), 1, "{status} {body}");
    }
}
