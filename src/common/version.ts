/** The extension version reported in the User-Agent header (a unit test keeps it equal to package.json). */
export const PRODUCT_NAME = 'governed-data-share';
export const PRODUCT_VERSION = '0.1.0';
