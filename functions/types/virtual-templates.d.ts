/** Generated per Lambda bundle by infra/build/templates.ts (see functions/channels/template-store.lambda.ts). */
declare module 'virtual:maatwerk-templates' {
  const templates: import('../channels/embedded-templates.js').EmbeddedTemplateData;
  export default templates;
}
