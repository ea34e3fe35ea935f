/**
 * The made-up shop the simulator browses: twenty products with the fields a real storefront sends
 * in Segment e-commerce events (name, price, category, product and image urls), so the emails the
 * demo produces look like a shop's emails. Urls live under shop.example (RFC 2606: never resolves).
 * Category, brand and tags also go to nudge's catalog (Catalog Updated) before the shoppers come,
 * so the journeys' recommendations (same category, shared tags, price band) have material.
 */
export type SimulatedProduct = {
  product_id: string;
  sku: string;
  name: string;
  price: number;
  category: string;
  brand: string;
  tags: string[];
  url: string;
  image_url: string;
};

export const simulationShopUrl = 'https://shop.example';
export const simulationCurrency = 'EUR';

const rows: ReadonlyArray<readonly [slug: string, name: string, price: number, category: string, brand: string, tags: string]> = [
  ['rain-jacket', 'Packable rain jacket', 129, 'Outerwear', 'Northfold', 'waterproof outdoor'],
  ['down-vest', 'Recycled down vest', 99, 'Outerwear', 'Northfold', 'warm outdoor recycled'],
  ['wool-coat', 'Double-faced wool coat', 289, 'Outerwear', 'Atelier Lune', 'wool warm tailored'],
  ['trail-boots', 'Waterproof trail boots', 149, 'Footwear', 'Ridgeway', 'waterproof outdoor leather'],
  ['canvas-sneakers', 'Organic canvas sneakers', 69, 'Footwear', 'Parc', 'organic casual'],
  ['leather-loafers', 'Suede leather loafers', 159, 'Footwear', 'Atelier Lune', 'leather tailored'],
  ['merino-beanie', 'Merino rib beanie', 29, 'Accessories', 'Northfold', 'wool warm outdoor'],
  ['wool-scarf', 'Lambswool check scarf', 45, 'Accessories', 'Highmoor', 'wool warm'],
  ['leather-belt', 'Full-grain leather belt', 55, 'Accessories', 'Ridgeway', 'leather tailored'],
  ['canvas-tote', 'Heavy canvas tote bag', 35, 'Bags', 'Parc', 'organic casual'],
  ['roll-top-backpack', 'Roll-top backpack 22 L', 119, 'Bags', 'Ridgeway', 'waterproof outdoor'],
  ['weekender-bag', 'Waxed cotton weekender', 179, 'Bags', 'Highmoor', 'travel leather'],
  ['oxford-shirt', 'Oxford button-down shirt', 65, 'Shirts', 'Parc', 'cotton tailored'],
  ['linen-shirt', 'Garment-dyed linen shirt', 75, 'Shirts', 'Atelier Lune', 'linen summer'],
  ['crew-tee-3pack', 'Organic crew tee, 3-pack', 49, 'T-shirts', 'Parc', 'organic cotton casual'],
  ['fisherman-sweater', 'Fisherman cable sweater', 135, 'Knitwear', 'Highmoor', 'wool warm'],
  ['cashmere-crew', 'Cashmere crew neck', 199, 'Knitwear', 'Atelier Lune', 'cashmere warm tailored'],
  ['selvedge-jeans', 'Selvedge slim jeans', 139, 'Trousers', 'Ridgeway', 'denim casual'],
  ['chino-trousers', 'Stretch cotton chinos', 89, 'Trousers', 'Parc', 'cotton casual'],
  ['thermal-bottle', 'Insulated steel bottle 750 ml', 32, 'Outdoor', 'Northfold', 'outdoor travel'],
];

export const simulationCatalog: readonly SimulatedProduct[] = rows.map(([slug, name, price, category, brand, tags], index) => ({
  product_id: `sim-${String(index + 1).padStart(3, '0')}`,
  sku: `SKU-${slug.toUpperCase()}`,
  name,
  price,
  category,
  brand,
  tags: tags.split(' '),
  url: `${simulationShopUrl}/products/${slug}`,
  image_url: `https://cdn.shop.example/products/${slug}.jpg`,
}));

export const simulationCategories: readonly string[] = [...new Set(simulationCatalog.map((product) => product.category))];

export const simulationSearches: readonly string[] = [
  'rain jacket',
  'waterproof boots',
  'merino',
  'gift for him',
  'linen',
  'backpack',
  'cashmere sale',
  'jeans slim',
];

export const simulationNames: ReadonlyArray<readonly [first: string, last: string]> = [
  ['Ava', 'Martin'],
  ['Noah', 'Schmidt'],
  ['Mia', 'Rossi'],
  ['Liam', 'Dubois'],
  ['Emma', 'Novak'],
  ['Lucas', 'Jensen'],
  ['Sofia', 'Garcia'],
  ['Elias', 'Berg'],
  ['Chloé', 'Laurent'],
  ['Finn', 'Murphy'],
  ['Ines', 'Costa'],
  ['Oskar', 'Nowak'],
];
