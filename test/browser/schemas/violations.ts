// Imported first by every schema page: lists each CSP violation the page causes (before any schema library loads, so a probe at load time is seen too).
document.addEventListener("securitypolicyviolation", (e) => {
  const li = document.createElement("li");
  li.textContent = `${e.effectiveDirective} ${e.blockedURI}`;
  document.getElementById("violations")!.append(li);
});

/** The page's query parameters. */
export const params = new URLSearchParams(location.search);
