/**
 * Build step: pdfkit in the letter function without its PDF encryption and its tables. pdfkit's ES build carries its own copies of
 * the SHA-1/SHA-2/RIPEMD-160 hashes, the RC4/AES key schedules' callers and SASLprep for password-protected PDFs
 * (≈ 35 KB minified) and references them from every document (`PDFSecurity.create` in the constructor), so a bundler
 * keeps them. A letter is never encrypted (no ownerPassword or userPassword: functions/channels/render-pdf.ts), so
 * the bundle gets the same module with the document's file ID computed by the same function outside that class (MD5
 * of the same text, as before), encryption refused with an error, and the hash constructors marked side-effect free
 * (they only build a function), so that what nothing calls is left out. Its table layout (`doc.table()`, ≈ 12 KB), which
 * the letters do not use (render-pdf.ts draws the claims table itself), is refused the same way. The same PDF bytes for every letter
 * (test/unit/pdfkit-bundle.test.ts renders the letters through both and compares them). Each replacement must find
 * exactly its text: a pdfkit upgrade that changes it fails the build instead of bundling something else.
 */

const FILE_ID = `  static generateFileID(info = {}) {
    let infoStr = \`\${info.CreationDate.getTime()}\\n\`;
    for (let key in info) {
      if (!info.hasOwnProperty(key)) {
        continue;
      }
      infoStr += \`\${key}: \${info[key].valueOf()}\\n\`;
    }
    return md5Hash(infoStr);
  }`;

const CONSTRUCTOR = `    this._id = PDFSecurity.generateFileID(this.info);
    this._security = PDFSecurity.create(this, options);`;

const CONSTRUCTOR_WITHOUT_SECURITY = `    this._id = maatwerkFileID(this.info);
    if (options.ownerPassword || options.userPassword) throw new Error('encrypted PDFs are not part of this bundle (infra/build/pdfkit.ts)');
    this._security = null;`;

const TABLE = `  table(opts) {
    return new PDFTable(this, opts);
  }`;

const TABLE_REFUSED = `  table() {
    throw new Error('pdfkit tables are not part of this bundle (infra/build/pdfkit.ts)');
  }`;

function replaceOnce(source: string, find: string, replacement: string): string {
  const at = source.indexOf(find);
  if (at < 0 || source.indexOf(find, at + 1) >= 0) throw new Error(`pdfkit.node.mjs: expected exactly one ${JSON.stringify(find.slice(0, 60))}… (pdfkit changed: see infra/build/pdfkit.ts)`);
  return source.slice(0, at) + replacement + source.slice(at + find.length);
}

/** pdfkit.node.mjs without its encryption and tables (see above). */
export function pdfkitWithoutEncryption(source: string): string {
  if (!source.includes(FILE_ID)) throw new Error('pdfkit.node.mjs: PDFSecurity.generateFileID changed (see infra/build/pdfkit.ts)');
  let out = replaceOnce(source, CONSTRUCTOR, CONSTRUCTOR_WITHOUT_SECURITY);
  out = replaceOnce(out, TABLE, TABLE_REFUSED);
  const hashers = out.split('createHasher(() => new ').length - 1;
  if (hashers < 2) throw new Error('pdfkit.node.mjs: no hash constructors found (see infra/build/pdfkit.ts)');
  out = out.replaceAll('createHasher(() => new ', '/* @__PURE__ */ createHasher(() => new ');
  // the same function as PDFSecurity.generateFileID, outside the class
  return `${out}\nfunction maatwerkFileID${FILE_ID.replace('  static generateFileID', '')}\n`;
}
