//! Offline simulator of the TeleSign and dotdigital Verify APIs on loopback (to come).
