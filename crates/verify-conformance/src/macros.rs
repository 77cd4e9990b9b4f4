//! `conformance_tests!`: one `#[test]` per scenario, for one harness.

/// Expands to one `#[test]` per scenario of the suite, each running it
/// against a fresh value of the harness expression.
///
/// ```ignore
/// verify_conformance::conformance_tests!(Ureq);
/// ```
///
/// A transport that cannot run a scenario names it in a skip list, with a
/// comment that says why; a skipped scenario still appears, as an ignored
/// test, and a name that is not a scenario does not compile:
///
/// ```ignore
/// verify_conformance::conformance_tests!(Plain, skip: [
///     // Plain speaks no TLS.
///     a_stalled_tls_handshake_is_a_connect_failure_with_nothing_sent,
/// ]);
/// ```
#[macro_export]
macro_rules! conformance_tests {
    ($harness:expr, skip: [$($skip:ident),* $(,)?] $(,)?) => {
        $crate::__conformance_tests! {
            dollar($)
            harness($harness)
            skip[$($skip)*]
            scenarios[
                flows::telesign_send_check_complete
                flows::dotdigital_send_and_validate
                flows::neutral_start_fails_over_and_check_follows_the_id
                flows::one_client_carries_many_calls_at_once
                refusals::validation_errors_come_before_any_io
                refusals::plain_http_needs_the_base_url_opt_in
                refusals::an_operation_for_an_unconfigured_provider_is_refused
                faults::not_attempted_send_is_retried_once_and_sends_one_message
                faults::not_attempted_send_gives_up_after_the_budget_with_nothing_sent
                faults::carrier_failure_after_processing_is_not_retried
                faults::authentication_failure_is_not_retried
                faults::html_503_is_retried_for_a_status_but_not_for_a_send
                faults::close_before_processing_is_not_retried_for_a_send
                faults::close_after_processing_reports_maybe_sent_and_does_not_resend
                faults::truncated_body_reports_maybe_sent_and_does_not_resend
                limits::a_huge_body_is_never_read_into_memory
                limits::a_stalled_server_never_holds_a_call_longer_than_its_timeout
                limits::a_stalled_server_never_holds_a_retried_call_longer_than_its_timeout
                connections::refused_connections_are_retried_and_report_nothing_sent
                connections::a_stalled_tls_handshake_is_a_connect_failure_with_nothing_sent
                failover::failover_when_the_primary_sent_nothing
                failover::no_failover_when_the_primary_may_have_sent_unless_opted_in
                failover::when_both_fail_the_primary_error_is_kept
                never_twice::a_code_check_is_not_repeated_once_written_but_a_status_query_is
                never_twice::a_mixed_answer_is_never_repeated
                secrets::errors_and_logs_carry_no_secrets
                proxies::a_flow_goes_through_the_proxy
                proxies::a_proxy_that_is_down_is_nothing_sent
                proxies::a_refused_connect_is_nothing_sent
                proxies::a_proxy_closing_mid_answer_may_have_sent
                boundaries::a_stalled_tls_handshake_with_little_time_left_fails_over
                boundaries::a_stalled_proxy_connect_with_little_time_left_fails_over
                boundaries::an_unresolvable_host_with_little_time_left_fails_over
                boundaries::unusable_proxy_settings_are_refused_before_any_io
            ]
        }
    };
    ($harness:expr $(,)?) => {
        $crate::conformance_tests!($harness, skip: []);
    };
}

/// The expansion of [`conformance_tests!`]. `dollar` carries a `$` token so
/// that the two local macros it defines can have repetitions of their own:
/// one tells a skipped scenario from a run one (the skip list's names become
/// literal patterns), the other refuses a skip entry that names no scenario.
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    (
        dollar($d:tt)
        harness($harness:expr)
        skip[$($skip:ident)*]
        scenarios[$($module:ident::$name:ident)*]
    ) => {
        #[allow(unused_macros)]
        macro_rules! __conformance_scenario {
            $( ($name) => {}; )*
            ($d other:ident) => {
                compile_error!(concat!(
                    "`", stringify!($d other), "` in the skip list is not a conformance scenario"
                ));
            };
        }

        #[allow(unused_macros)]
        macro_rules! __conformance_pick {
            $( ($skip { $d ($d skipped:tt)* } { $d ($d run:tt)* }) => { $d ($d skipped)* }; )*
            ($d other:ident { $d ($d skipped:tt)* } { $d ($d run:tt)* }) => { $d ($d run)* };
        }

        $( __conformance_scenario!($skip); )*

        $(
            __conformance_pick! {
                $name
                {
                    #[test]
                    #[ignore = "skipped for this transport: see the skip list of its conformance_tests!"]
                    fn $name() {}
                }
                {
                    #[test]
                    fn $name() {
                        let harness = $harness;
                        $crate::$module::$name(&harness);
                    }
                }
            }
        )*
    };
}
