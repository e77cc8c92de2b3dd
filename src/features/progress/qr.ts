/**
 * QR codes as inline SVG, drawn on the server with the `qrcode` library. Its SVG uses
 * presentation attributes only (no style attribute or element), so the page's CSP needs nothing.
 */
import QRCode from 'qrcode';

/** An SVG QR code for `text`: decorative (the text is on the page too), sized by CSS through its class. */
export async function qrSvg(text: string, className = 'qr-code'): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } });
  return svg.replace('<svg ', `<svg class="${className}" aria-hidden="true" focusable="false" `).trim();
}
