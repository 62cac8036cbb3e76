//! The legacy CGI interface: `/` (login form with a fresh challenge), `/login.tgi`, `/index.htm`
//! (status page with the `state=` comment and the 5-column outlet table), `/outlet?N=...` and
//! `/logout`. Basic credentials are accepted unless `--no-basic`.

use std::thread;
use std::time::Duration;

use super::auth::{basic_ok, cookie_ok, login_hash};
use super::{Shared, Switch};
use crate::http::{form_pairs, Request, Response};

fn login_page(sw: &mut Switch) -> Response {
    sw.challenge = sw.token();
    let body = format!(
        "<html><head><title>LPC Login</title></head><body>\n<form name=\"login\" action=\"/login.tgi\" method=\"post\">\n\
         <input type=\"text\" name=\"Username\">\n<input type=\"password\" name=\"Password\">\n\
         <input type=\"hidden\" name=\"Challenge\" value=\"{}\">\n</form></body></html>\n",
        sw.challenge
    );
    Response::html(body).header("Set-Cookie", "DLILPC=\"\"; Max-Age=0; Path=/")
}

fn index_page(sw: &Switch) -> Response {
    if sw.args.malformed {
        return Response::html("<html><body><h1>Welcome</h1>Something else entirely.</body></html>\n");
    }
    let mut rows = String::new();
    for (i, on) in sw.outlets.iter().enumerate() {
        let n = i + 1;
        let (state, color, action) = if *on { ("ON", "green", "OFF") } else { ("OFF", "red", "ON") };
        let cycle = format!("<a href=outlet?{n}=CCL>Cycle</a>");
        let cycle = if *on { cycle } else { format!("<!-- {cycle} -->") };
        rows.push_str(&format!(
            "<tr bgcolor=#F4F4F4><td align=center>{n}</td>\n<td>{}</td><td>\n<b><font color={color}>{state}</font></b></td>\
             <td><a href=outlet?{n}={action}>Switch {action}</a></td><td>{cycle}</td></tr>\n",
            sw.names[i]
        ));
    }
    let body = format!(
        "<html><head><title>Outlet Control - Lab PDU</title></head><body>\n<!-- state={:02x} lock=00 -->\n\
         <table><tr><th>#</th><th>Name</th><th>State</th><th>Action</th><th></th></tr>\n{rows}</table>\n\
         Version 1.8.4 (simulated)</body></html>\n",
        sw.bitmap()
    );
    Response::html(body)
}

fn refresh() -> Response {
    Response::html("<html><head><META HTTP-EQUIV=\"refresh\" content=\"0; URL=/index.htm\"></head></html>\n")
}

/// Handles a legacy request.
pub(crate) fn handle(shared: &Shared, req: &Request) -> Response {
    let Ok(mut sw) = shared.lock() else { return Response::new(500, "text/plain", "poisoned") };
    if sw.args.always_401 {
        return Response::new(401, "text/html", "Unauthorized").header("WWW-Authenticate", "Basic realm=\"DLI\"");
    }
    let authed = cookie_ok(&sw, req) || (!sw.args.no_basic && basic_ok(&sw, req));
    match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/login.tgi") => {
            let form = form_pairs(&req.body);
            let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
            let user = get("Username");
            let expected = login_hash(&sw.challenge, &sw.args.user, &sw.args.password);
            if !sw.challenge.is_empty() && user == sw.args.user && get("Password") == expected {
                sw.challenge.clear();
                let token = sw.token();
                sw.sessions.push(token.clone());
                refresh().header("Set-Cookie", &format!("DLILPC=\"{token}\"; Version=1; Path=/"))
            } else {
                login_page(&mut sw)
            }
        }
        ("GET", "/") | ("GET", "/index.htm") if authed => index_page(&sw),
        ("GET", "/") => login_page(&mut sw),
        ("GET", "/logout") => {
            sw.sessions.clear();
            login_page(&mut sw)
        }
        (_, _) if !authed => {
            let mut r = Response::new(401, "text/html", "<html><body>Unauthorized</body></html>");
            if !sw.args.no_basic {
                r = r.header("WWW-Authenticate", "Basic realm=\"DLI\"");
            }
            r
        }
        ("GET", "/outlet") => {
            let n = sw.outlets.len();
            for (k, v) in form_pairs(&req.query) {
                let targets: Vec<usize> = if k == "a" {
                    (0..n).collect()
                } else {
                    match k.parse::<usize>() {
                        Ok(i) if (1..=n).contains(&i) => vec![i - 1],
                        _ => continue,
                    }
                };
                match v.as_str() {
                    "ON" => targets.iter().for_each(|&i| sw.set(i, true)),
                    "OFF" => targets.iter().for_each(|&i| sw.set(i, false)),
                    "CCL" => {
                        let delay = sw.args.cycle_ms;
                        let to_cycle: Vec<usize> = targets.into_iter().filter(|&i| sw.outlets[i]).collect();
                        to_cycle.iter().for_each(|&i| sw.set(i, false));
                        let shared = std::sync::Arc::clone(shared);
                        thread::spawn(move || {
                            thread::sleep(Duration::from_millis(delay));
                            if let Ok(mut sw) = shared.lock() {
                                to_cycle.iter().for_each(|&i| sw.set(i, true));
                            }
                        });
                    }
                    _ => {}
                }
            }
            refresh()
        }
        _ => Response::new(404, "text/html", "<html><body>Not found</body></html>"),
    }
}
