FROM node:22 AS build
RUN npm ci && npm run build
FROM gcr.io/distroless/nodejs22-debian12
COPY --from=build /app /app
CMD ["/app/server.js"]
