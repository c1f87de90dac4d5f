import { coversPublicInternet, parseIpv4Cidr, publicShare } from "../../policy/rules/cidr";

const ranges = (...cidrs: string[]) => cidrs.map((c) => parseIpv4Cidr(c)!);

test("parses CIDR ranges and rejects what is not one", () => {
  expect(parseIpv4Cidr("10.0.0.0/8")).toEqual({ first: 10 * 2 ** 24, last: 11 * 2 ** 24 - 1 });
  expect(parseIpv4Cidr("203.0.113.7")).toEqual({ first: parseIpv4Cidr("203.0.113.7/32")!.first, last: parseIpv4Cidr("203.0.113.7/32")!.first });
  for (const bad of ["10.0.0.0/33", "256.0.0.0/8", "10.0.0/8", "fd00::/8", ""]) expect(parseIpv4Cidr(bad)).toBeUndefined();
});

test("coverage is judged on the ranges together", () => {
  expect(coversPublicInternet(ranges("0.0.0.0/0"))).toBe(true);
  expect(coversPublicInternet(ranges("0.0.0.0/1", "128.0.0.0/1"))).toBe(true);
  expect(coversPublicInternet(ranges("0.0.0.0/1"))).toBe(false);
  expect(coversPublicInternet(ranges("203.0.113.0/24", "20.50.0.0/16"))).toBe(false);
  expect(publicShare(ranges("0.0.0.0/1"))).toBeGreaterThan(0.45);
  expect(publicShare(ranges("10.0.0.0/8"))).toBe(0);
});
