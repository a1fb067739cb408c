// Response headers for the console's page. The CSP allows only this site's own script, stylesheet and
// connections: no inline code, no CDN, no framing. form-action is left out on purpose: sign-out is a
// form posted to /auth/logout, which answers with a redirect to the identity provider, and form-action
// applies to that redirect too while the console can't know the provider's origin.
export const pageHeaders = (publicUrl: string): Record<string, string> => {
  const site = new URL(publicUrl);
  const socketOrigin = `${site.protocol === "https:" ? "wss" : "ws"}://${site.host}`;
  return {
    "content-security-policy": [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self'",
      // 'self' covers ws(s) to the page's own host in current browsers; the public URL's is named for older ones.
      `connect-src 'self' ${socketOrigin}`,
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
  };
};
