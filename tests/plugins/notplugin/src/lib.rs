//! A shared library with one C function and no powerplug symbols: the host must say it is not a
//! powerplug plugin. Never shipped.

/// Adds two numbers.
#[no_mangle]
#[allow(unreachable_pub)]
pub extern "C" fn add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}
